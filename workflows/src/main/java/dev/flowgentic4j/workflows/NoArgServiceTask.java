package dev.flowgentic4j.workflows;

import java.util.List;
import java.util.concurrent.Executor;

/**
 * A SERVICE_TASK whose cold start takes no argument (registered with a {@link ServiceFactory}):
 * each {@link #start()} cold-starts a new persistent instance on the backend and returns its handle
 * at once. Thread-safe.
 *
 * <pre>{@code
 * NoArgServiceTask<Counter> counters = engine.serviceTask("counter", () -> new Counter());
 * ServiceFuture<Counter> counter = counters.start();
 * }</pre>
 *
 * @see ServiceTask the task of a cold start that takes an argument
 */
public interface NoArgServiceTask<S> {

    /** The registered name. */
    String name();

    /**
     * Starts a new instance without waiting for it.
     *
     * @throws IllegalStateException if the engine is closed
     */
    ServiceFuture<S> start();

    /** Every instance started from this task, in start order, including stopped ones. */
    List<ServiceFuture<S>> instances();

    /**
     * Adds {@code listener} to every instance started from this task from now on, before the start;
     * as {@link ServiceTask#addListener}.
     *
     * @throws NullPointerException if an argument is null
     */
    void addListener(ServiceListener listener, Executor executor);
}
