package dev.flowgentic4j.mcp;

import dev.flowgentic4j.tools.ToolCallExecutor;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.spi.Checks;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * An MCP server's tools as AGENT_TOOL_AS_SERVICE tools: the {@link ToolSpecification}s the server
 * listed, each with an executor that resolves the live server behind the {@link ServiceFuture} at
 * every call (so after a restart calls reach the new process), for {@code AiServices.tools(...)},
 * LangGraph4j's {@code AgentExecutor} or {@code reactAgent}. Each call goes through the one tool path
 * ({@link ToolCallExecutor}): the model's arguments are checked to be one JSON object of bounded size
 * and passed to the server as sent; every failure (an error the server reports, bad arguments, a
 * timeout, a dead server, content other than text, a service that is not RUNNING) is a result text
 * beginning with {@code Error:} that the model reads, nothing throws; and every call is recorded as a
 * TOOL event (AGENT_TOOL_AS_SERVICE, with the server's instance and generation) in the engine's
 * telemetry.
 *
 * <pre>{@code
 * Map<ToolSpecification, ToolExecutor> tools = McpTools.builder(files)
 *     .filter(name -> !name.startsWith("write"))
 *     .prefix("files_")
 *     .build();
 * }</pre>
 */
public final class McpTools {
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(30);

    private McpTools() {}

    /** A builder for the tools of the server behind {@code server}. */
    public static Builder builder(ServiceFuture<McpServer> server) {
        return new Builder(Objects.requireNonNull(server, "server"));
    }

    /** All the server's tools under their own names. See {@link Builder#build()}. */
    public static Map<ToolSpecification, ToolExecutor> of(ServiceFuture<McpServer> server) {
        return builder(server).build();
    }

    /** Chooses and names the tools offered. */
    public static final class Builder {
        private final ServiceFuture<McpServer> server;
        private Predicate<String> filter = name -> true;
        private UnaryOperator<String> rename = UnaryOperator.identity();
        private Duration readyTimeout = DEFAULT_READY_TIMEOUT;

        private Builder(ServiceFuture<McpServer> server) {
            this.server = server;
        }

        /** Offers only the tools whose server-side name passes {@code filter}. */
        public Builder filter(Predicate<String> filter) {
            this.filter = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /** Offers each tool as {@code rename.apply(serverName)}; the server is still called by its own name. */
        public Builder rename(UnaryOperator<String> rename) {
            this.rename = Objects.requireNonNull(rename, "rename");
            return this;
        }

        /** Offers each tool as {@code prefix + serverName}, for agents that use several servers. */
        public Builder prefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            return rename(name -> prefix + name);
        }

        /** How long a call (and {@link #build()}) waits for the service to be RUNNING. */
        public Builder readyTimeout(Duration readyTimeout) {
            this.readyTimeout = Checks.requirePositive(readyTimeout, "readyTimeout");
            return this;
        }

        /**
         * Waits up to the ready timeout for the server's tool list and returns the chosen tools, in
         * the server's order.
         *
         * @throws McpException if the service is not RUNNING in time, or two tools end up with one name
         * @throws dev.flowgentic4j.workflows.ServiceFailedException if the server failed to start
         * @throws java.util.concurrent.CancellationException if the service was stopped
         */
        public Map<ToolSpecification, ToolExecutor> build() {
            McpServer live;
            try {
                live = server.awaitRunning(readyTimeout);
            } catch (TimeoutException e) {
                throw new McpException(server.name(), "MCP server '" + server.name() + "' did not list its tools within "
                        + readyTimeout + ": " + e.getMessage(), e);
            }
            Map<ToolSpecification, ToolExecutor> tools = new LinkedHashMap<>();
            Map<String, String> offeredNames = new LinkedHashMap<>();
            for (ToolSpecification spec : live.tools()) {
                if (!filter.test(spec.name())) {
                    continue;
                }
                String offered = Objects.requireNonNull(rename.apply(spec.name()), "renamed tool name");
                String clash = offeredNames.putIfAbsent(offered, spec.name());
                if (clash != null) {
                    throw new McpException(server.name(), "tools '" + clash + "' and '" + spec.name()
                            + "' of MCP server '" + server.name() + "' would both be offered as '" + offered + "'", null);
                }
                String serverName = spec.name();
                tools.put(spec.toBuilder().name(offered).build(), ToolCallExecutor.builder(offered).unboundArguments()
                        .service(server, readyTimeout, (running, arguments) -> running.callTool(serverName, arguments.json())));
            }
            return Collections.unmodifiableMap(tools);
        }
    }
}
