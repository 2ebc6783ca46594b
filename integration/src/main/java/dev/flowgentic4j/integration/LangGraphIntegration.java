package dev.flowgentic4j.integration;

import dev.flowgentic4j.integration.internal.NodeTelemetry;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.telemetry.Telemetry;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

/**
 * The entry point, and the one manager surface for LangGraph4j and langchain4j users: owns the
 * engine and its backend, hands out the {@link ExecutionWrappers}, reports the services, and on
 * {@link #close()} stops every service still running, in reverse start order. Made for
 * try-with-resources. Thread-safe. (The engine underneath, {@link FlowEngine}, is the engine-level
 * API for plain-Java use without LangGraph4j; it is not exposed here, so there is one way to do
 * each thing.)
 *
 * <pre>{@code
 * try (LangGraphIntegration integration = LangGraphIntegration.create()) {
 *     ExecutionWrappers wrappers = integration.executionWrappers();
 *     ServiceTask<Integer, SimpleServer> startServer =
 *         wrappers.serviceTask("start_server", port -> SimpleServer.start("127.0.0.1", port));
 *     ServiceFuture<SimpleServer> future = startServer.start(0);
 *     SimpleServer server = future.join();
 *     server.handleRequest("/api/users", "GET");
 *     future.cancel(true);
 * }
 * }</pre>
 */
public final class LangGraphIntegration implements AutoCloseable {
    private final IntegrationConfig config;
    private final FlowEngine engine;
    private final ExecutionWrappers wrappers;
    private final Set<StateGraph<?>> observed = Collections.newSetFromMap(new WeakHashMap<>()); // guarded by itself

    private LangGraphIntegration(IntegrationConfig config) {
        this.config = config;
        this.engine = FlowEngine.create(config.engine());
        this.wrappers = new ExecutionWrappers(engine, config);
    }

    /** An integration on the local backend with default settings. */
    public static LangGraphIntegration create() {
        return create(IntegrationConfig.ofDefaults());
    }

    /** @throws NullPointerException if {@code config} is null */
    public static LangGraphIntegration create(IntegrationConfig config) {
        return new LangGraphIntegration(Objects.requireNonNull(config, "config"));
    }

    public ExecutionWrappers executionWrappers() {
        return wrappers;
    }

    public IntegrationConfig config() {
        return config;
    }

    /**
     * The event stream, metrics and health endpoint of this integration's services, tasks, nodes and
     * tools. Node events need {@link #observe(StateGraph)} on the graph.
     *
     * <pre>{@code
     * try (EventRecorder recorder = integration.telemetry().record()) { ... }
     * new FlowMeterBinder(integration.telemetry().metrics()).bindTo(meterRegistry);
     * integration.telemetry().startHealthEndpoint(8081);
     * }</pre>
     */
    public Telemetry telemetry() {
        return engine.telemetry();
    }

    /**
     * Makes every node run of {@code graph} (any node: ours, LangGraph4j's, the user's) a NODE call
     * event of this integration's telemetry, tagged with the flow type and service of our nodes.
     * Call it before compiling; observing the same graph again changes nothing. Costs one volatile
     * read per node run while no one listens.
     *
     * <pre>{@code
     * CompiledGraph<AgentState> graph = Graphs.compile(integration.observe(stateGraph));
     * }</pre>
     *
     * @return {@code graph}
     * @throws NullPointerException if {@code graph} is null
     */
    public <S extends AgentState> StateGraph<S> observe(StateGraph<S> graph) {
        Objects.requireNonNull(graph, "graph");
        synchronized (observed) {
            if (!observed.add(graph)) {
                return graph; // observed already: one hook, or every node run would count twice
            }
        }
        graph.addWrapCallNodeHook(new NodeTelemetry<>(engine.telemetry()));
        return graph;
    }

    /** Every service instance started so far, in start order. */
    public List<ServiceFuture<?>> services() {
        return engine.services();
    }

    /** A consistent snapshot of every service instance, grouped by state. */
    public Map<ServiceState, List<ServiceFuture<?>>> servicesByState() {
        return engine.servicesByState();
    }

    /** Start-up durations of the instances that reached RUNNING, by id. */
    public Map<String, Duration> startupDurations() {
        return engine.startupDurations();
    }

    public boolean isClosed() {
        return engine.isClosed();
    }

    /**
     * Stops every service still running, in reverse start order, each within its stop timeout, and
     * shuts the backend's threads down. Afterwards starting anything throws
     * {@link IllegalStateException}. Idempotent.
     *
     * @throws dev.flowgentic4j.workflows.ShutdownException naming each service whose stop threw or
     *     hung; the others were stopped all the same
     */
    @Override
    public void close() {
        engine.close();
    }
}
