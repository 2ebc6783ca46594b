package dev.flowgentic4j.workflows;

/**
 * Where SERVICE_TASKs are registered: the three ways to say what a service's cold start is. Two
 * classes implement it, with the same contract: a user reaches for
 * {@code LangGraphIntegration.executionWrappers()} (integration module) when the services serve
 * LangGraph4j graphs or langchain4j agents, and for {@link FlowEngine} in plain Java without them.
 * Code that only registers services, such as the ready definitions of the patterns module, takes
 * this interface so that it works with either. Implementations are thread-safe.
 *
 * <pre>{@code
 * ServiceTask<Integer, SimpleServer> servers = registry.serviceTask("server", port -> SimpleServer.start(port));
 * NoArgServiceTask<Counter> counters = registry.serviceTask("counter", () -> new Counter());
 * ServiceTask<DatabaseSettings, DatabasePool> pools = registry.serviceTask(PatternServices.databasePool());
 * }</pre>
 */
public interface ServiceTaskRegistry {

    /**
     * A SERVICE_TASK whose cold start takes an argument, with the registry's defaults (retry policy,
     * stop timeout); the instance is stopped with {@code close()} if it is {@link AutoCloseable}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or already registered
     * @throws IllegalStateException if the registry is closed
     */
    <A, S> ServiceTask<A, S> serviceTask(String name, ServiceInitializer<A, S> initializer);

    /**
     * A SERVICE_TASK whose cold start takes no argument, started with {@link NoArgServiceTask#start()};
     * same defaults and checks as {@link #serviceTask(String, ServiceInitializer)}.
     */
    <S> NoArgServiceTask<S> serviceTask(String name, ServiceFactory<S> factory);

    /**
     * A SERVICE_TASK with everything a {@link ServiceDefinition} says (stop function, retry policy,
     * stop timeout, readiness and health checks, restart policy, call limit); a definition whose
     * argument type is {@code Void} is started with {@code start(null)}.
     *
     * @throws NullPointerException if {@code definition} is null
     * @throws IllegalArgumentException if its name is already registered
     * @throws IllegalStateException if the registry is closed
     */
    <A, S> ServiceTask<A, S> serviceTask(ServiceDefinition<A, S> definition);
}
