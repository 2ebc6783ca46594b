package dev.flowgentic4j.workflows;

/**
 * The cold start of a service that needs no start argument: builds the live instance. Its tasks
 * are {@link NoArgServiceTask}s, started with {@link NoArgServiceTask#start()}.
 *
 * <pre>{@code
 * NoArgServiceTask<Counter> counters = engine.serviceTask("counter", () -> new Counter());
 * ServiceFuture<Counter> counter = counters.start();
 * }</pre>
 */
@FunctionalInterface
public interface ServiceFactory<S> {
    S create() throws Exception;

    /** This factory as an initializer that ignores its (null) argument. */
    default ServiceInitializer<Void, S> asInitializer() {
        return ignored -> create();
    }
}
