package dev.flowgentic4j.workflows;

import java.util.List;
import java.util.concurrent.Executor;

/**
 * A SERVICE_TASK: each {@link #start} cold-starts a new persistent instance on the backend from the
 * given argument and returns its handle at once. A cold start that takes no argument (a
 * {@link ServiceFactory}) gives a {@link NoArgServiceTask} instead; a {@link ServiceDefinition} whose
 * argument type is {@code Void} is started with {@code start(null)}. Thread-safe.
 *
 * <pre>{@code
 * ServiceTask<Integer, SimpleServer> startServer = wrappers.serviceTask("start_server", SimpleServer::start);
 * ServiceFuture<SimpleServer> first = startServer.start(0);
 * ServiceFuture<SimpleServer> second = startServer.start(0);   // a second, independent instance
 * }</pre>
 */
public interface ServiceTask<A, S> {

    /** The registered name. */
    String name();

    /**
     * Starts a new instance without waiting for it. For a definition with
     * {@link ServiceDefinition.Builder#replicas(int) replicas}, starts its replicas and returns the
     * one handle that routes calls to them (see {@link ServiceFuture#replicas()}).
     *
     * @throws IllegalStateException if the integration is closed
     */
    ServiceFuture<S> start(A args);

    /** Every instance started from this task, in start order, including stopped ones. */
    List<ServiceFuture<S>> instances();

    /**
     * Adds {@code listener} to every instance started from this task from now on, before the start:
     * it hears every callback of those instances, {@code starting} included (a listener added to a
     * {@link ServiceFuture} comes after its start). Instances already started are not affected.
     *
     * <pre>{@code
     * NoArgServiceTask<Counter> counters = engine.serviceTask("counter", Counter::new);
     * counters.addListener(new ServiceListener() {
     *     public void starting(ServiceFuture<?> service) { log.info("{} starting", service.id()); }
     * }, Runnable::run);
     * }</pre>
     *
     * @throws NullPointerException if an argument is null
     */
    void addListener(ServiceListener listener, Executor executor);
}
