package dev.flowgentic4j.mcp;

import dev.flowgentic4j.workflows.HealthConfig;
import dev.flowgentic4j.workflows.RestartPolicy;
import dev.flowgentic4j.workflows.ServiceDefinition;
import java.time.Duration;
import java.util.Objects;

/**
 * {@link ServiceDefinition}s for MCP servers: start = spawn or connect, initialize, list tools (the
 * service is RUNNING only once its tools are listed); stop = close the session, then end the
 * server's whole process tree within the stop timeout; health = the server's process still there
 * (looked at every {@link McpOptions#exitCheckInterval()}) and an MCP ping every
 * {@link McpOptions#pingInterval()}; a dead or unhealthy server restarts as a new generation (new
 * process, new session) under {@link #DEFAULT_RESTART_POLICY} unless the builder is given another.
 *
 * <pre>{@code
 * ServiceDefinition<Void, McpServer> files = McpServices
 *     .definition(McpServerSpec.stdio("files", "node", "server-filesystem/dist/index.js", "/data"), McpOptions.ofDefaults())
 *     .maxConcurrentCalls(8, Duration.ofSeconds(5))
 *     .build();
 * ServiceFuture<McpServer> server = integration.executionWrappers().serviceTask(files).start();
 * Map<ToolSpecification, ToolExecutor> tools = McpTools.builder(server).prefix("files_").build();
 * }</pre>
 */
public final class McpServices {
    /** Up to 5 restarts within a minute, the first at once. */
    public static final RestartPolicy DEFAULT_RESTART_POLICY =
            RestartPolicy.onFailure(5, Duration.ofMinutes(1), Duration.ZERO);

    private McpServices() {}

    /**
     * A definition builder for the server {@code spec} (the service's name is the server's), with
     * its stop, health check, restart policy and stop timeout set; the start argument is ignored.
     * Callers may change the restart policy, retries and call limits before {@code build()}.
     *
     * @throws NullPointerException if an argument is null
     */
    public static ServiceDefinition.Builder<Void, McpServer> definition(McpServerSpec spec, McpOptions options) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(options, "options");
        return ServiceDefinition.<Void, McpServer>builder(spec.name(), ignored -> McpServer.start(spec, options))
                .stop(McpServer::close)
                .stopTimeout(options.stopTimeout().plusSeconds(1))
                .health(HealthConfig.<McpServer>builder(McpServer::checkHealth)
                        .interval(options.exitCheckInterval())
                        .timeout(options.pingTimeout().plusSeconds(1))
                        .build())
                .restartPolicy(DEFAULT_RESTART_POLICY);
    }
}
