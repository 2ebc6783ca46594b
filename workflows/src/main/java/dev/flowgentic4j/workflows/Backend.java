package dev.flowgentic4j.workflows;

import dev.flowgentic4j.workflows.internal.LocalBackend;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

/**
 * Where tasks and services run: the engine never runs user work on the caller's thread.
 *
 * <p>The embedded default is {@link #local()}, a thread pool in this JVM. A distributed backend
 * implements the same two operations. Implementations must be thread-safe.
 *
 * <pre>{@code
 * try (Backend backend = Backend.local()) {
 *     BackendWork<String> work = backend.submit("hello", () -> "hi");
 *     work.outcome().join();
 * }
 * }</pre>
 */
public interface Backend extends AutoCloseable {

    /** A backend on a local thread pool whose threads are named {@code flowgentic4j-<name>-N}. */
    static Backend local() {
        return new LocalBackend("local");
    }

    /**
     * A local backend bounded and/or on virtual threads as {@code config} says.
     *
     * <pre>{@code
     * Backend backend = Backend.local(LocalBackendConfig.builder().maxThreads(64).queueCapacity(1_000).build());
     * }</pre>
     */
    static Backend local(LocalBackendConfig config) {
        return new LocalBackend("local", config);
    }

    /** A short name for logs and thread names. */
    String name();

    /**
     * Runs {@code work} on a backend thread.
     *
     * @param label what the work is, for thread names and logs
     * @throws java.util.concurrent.RejectedExecutionException if the backend is closed
     */
    <T> BackendWork<T> submit(String label, Callable<T> work);

    /**
     * Runs a short {@code action} once after {@code delay} (timers: timeouts, backoff, health checks).
     * The action may reach user code (a listener told of a deadline, a health verdict): run it off
     * the thread that fires the timers, as the local backend does, so that it cannot delay another
     * deadline.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the backend is closed
     */
    Future<?> schedule(Runnable action, Duration delay);

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    /**
     * Stops accepting work, interrupts what still runs and waits up to {@code timeout} for the
     * backend's threads to end. Called from one of the backend's own threads (a listener or a
     * call that closes the engine), it waits for the others, not for the calling thread.
     *
     * @return true if every thread (but the calling one) ended in time
     */
    boolean shutdown(Duration timeout);

    /** Same as {@code shutdown(Duration.ofSeconds(10))}. */
    @Override
    default void close() {
        shutdown(Duration.ofSeconds(10));
    }
}
