package dev.flowgentic4j.mcp;

import dev.flowgentic4j.mcp.internal.BoundedText;
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
 * A server that dies is replaced at once by the engine's crash replacement: {@code diesWhen} is
 * {@link McpServer#whenGone()}, {@code deadOn} matches {@link McpServerDiedException} and
 * {@link McpServerGoneException}; calls in flight then fail (or run once more on the next process
 * when {@link McpOptions#idempotentCalls()}, or {@link McpOptions#trustIdempotentHints()} for a tool
 * hinted idempotent), and calls made meanwhile wait for it.
 *
 * <p>The start argument is the server's spec ({@code null}: the one given to
 * {@link #definition}), so the engine's blue/green replacement applies to the server as to any
 * service: {@code ServiceFuture.restart()} starts a new process beside the live one and switches
 * calls to it once it has answered {@code initialize} and listed its tools, then ends the old
 * process once its calls returned; {@code ServiceFuture.update(newSpec)} does the same with another
 * command, version, environment or URL for the same server name.
 *
 * <pre>{@code
 * ServiceDefinition<McpServerSpec, McpServer> files = McpServices
 *     .definition(McpServerSpec.stdio("files", "node", "server-filesystem/dist/index.js", "/data"), McpOptions.ofDefaults())
 *     .maxConcurrentCalls(8, Duration.ofSeconds(5))
 *     .build();
 * ServiceFuture<McpServer> server = integration.executionWrappers().serviceTask(files).start(null);
 * Map<ToolSpecification, ToolExecutor> tools = McpTools.builder(server).prefix("files_").build();
 * server.update(McpServerSpec.stdio("files", "node", "server-filesystem-2/dist/index.js", "/data")).join();
 * }</pre>
 */
public final class McpServices {
    /** Up to 5 restarts within a minute, the first at once. */
    public static final RestartPolicy DEFAULT_RESTART_POLICY =
            RestartPolicy.onFailure(5, Duration.ofMinutes(1), Duration.ZERO);

    private McpServices() {}

    /**
     * A definition builder for the server {@code spec} (the service's name is the server's), with
     * its stop, health check, restart policy and stop timeout set. The start argument is the spec to
     * run: {@code start(null)} runs {@code spec}; {@code start(otherSpec)} and
     * {@code update(otherSpec)} run another spec of the same name (a new version of the server, its
     * command, environment or URL), which later restarts keep. A spec with another name fails that
     * cold start with an {@link IllegalArgumentException} naming both (an update then leaves the live
     * server serving). Callers may change the restart policy, retries and call limits before
     * {@code build()}.
     *
     * @throws NullPointerException if an argument is null
     */
    public static ServiceDefinition.Builder<McpServerSpec, McpServer> definition(McpServerSpec spec,
                                                                                McpOptions options) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(options, "options");
        ServiceDefinition.Builder<McpServerSpec, McpServer> builder = ServiceDefinition
                .<McpServerSpec, McpServer>builder(spec.name(), given -> McpServer.start(sameServer(spec, given), options))
                .stop(McpServer::close)
                // a dead server is replaced at once: its process exited (or its output closed), or a call saw it go;
                // our own close() also completes whenGone(), but the engine ignores a signal once it stops an instance
                .diesWhen(McpServer::whenGone)
                .deadOn(e -> e instanceof McpServerDiedException || e instanceof McpServerGoneException)
                .stopTimeout(options.stopTimeout().plusSeconds(1))
                .health(HealthConfig.<McpServer>builder(McpServer::checkHealth)
                        .interval(options.exitCheckInterval())
                        .timeout(options.pingTimeout().plusSeconds(1))
                        .build())
                .restartPolicy(DEFAULT_RESTART_POLICY);
        return options.idempotentCalls() ? builder.idempotentCalls() : builder;
    }

    /** The spec to start: {@code given}, or {@code spec} for null; refused if it names another server. */
    private static McpServerSpec sameServer(McpServerSpec spec, McpServerSpec given) {
        if (given == null) {
            return spec;
        }
        if (!given.name().equals(spec.name())) {
            throw new IllegalArgumentException("the spec of service '" + spec.name() + "' must name the same server,"
                    + " was '" + BoundedText.excerpt(given.name(), 0) + "': start another service for another server");
        }
        return given;
    }
}
