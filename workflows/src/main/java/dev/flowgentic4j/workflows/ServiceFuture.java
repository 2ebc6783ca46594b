package dev.flowgentic4j.workflows;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * The handle of one persistent service instance, returned at once by {@link ServiceTask#start}.
 *
 * <p>Awaiting it ({@link #join()}, {@link #get()}, {@link #awaitRunning(Duration)} or
 * {@link #toCompletableFuture()}) yields the live instance once the service is RUNNING; every await
 * yields the same instance, built by exactly one run of the initializer. {@link #cancel(boolean)}
 * stops the service and closes the instance once; afterwards every await throws
 * {@link CancellationException}. All methods are thread-safe.
 *
 * <pre>{@code
 * ServiceFuture<SimpleServer> future = startServer.start(0);
 * SimpleServer server = future.join();          // waits for the cold start, once
 * future.call(Duration.ofSeconds(5), s -> s.handleRequest("/api/users", "GET"));
 * future.cancel(true);                          // stops it; the port is released when this returns
 * }</pre>
 */
public interface ServiceFuture<S> extends Future<S> {

    /** The task name the service was registered under. */
    String name();

    /** This instance's id, unique in its integration: {@code name#n}. */
    String id();

    /** The current lifecycle state. */
    ServiceState state();

    /** Whether the state is RUNNING. */
    default boolean isRunning() {
        return state() == ServiceState.RUNNING;
    }

    /** Why the service FAILED, if it did. */
    Optional<Throwable> failureCause();

    /** How long the cold start took (all attempts and backoff), once RUNNING. */
    Optional<Duration> startupDuration();

    /** Time spent RUNNING so far (frozen once the service stops). */
    Duration uptime();

    /**
     * The number of the live instance behind this handle: 1 for the first, one more after each
     * supervised restart (0 before the first is RUNNING). Callers holding an instance can compare
     * it to tell whether it was replaced.
     */
    int generation();

    /** The health check's last verdict ({@link HealthStatus#UNKNOWN} without a health check). */
    HealthStatus health();

    /** Calls inside {@link #call} right now. */
    int inFlightCalls();

    /** Calls made through {@link #call}, successful or not. */
    long callCount();

    /** Calls made through {@link #call} that threw. */
    long failedCallCount();

    /**
     * Waits until the service is RUNNING and returns the live instance.
     *
     * @throws CancellationException if the service was cancelled or stopped
     * @throws ServiceFailedException if it failed to start
     * @throws ServiceUnavailableException if the waiting thread is interrupted (the flag is restored)
     */
    S join();

    /**
     * Waits up to {@code timeout} for the service to be RUNNING and returns the live instance.
     *
     * @throws TimeoutException if it is not RUNNING in time; the message names the service and its state
     * @throws CancellationException if the service was cancelled or stopped
     * @throws ServiceFailedException if it failed to start
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    S awaitRunning(Duration timeout) throws TimeoutException;

    /**
     * Uses the live instance: waits up to {@code readyTimeout} for RUNNING (and for a slot, if the
     * service limits concurrent calls), then applies {@code call} on the caller's thread and counts
     * it. The instance is resolved at each call, so after a supervised restart calls reach the new
     * one; a stop waits for calls in flight before it closes the instance.
     *
     * @throws ServiceUnavailableException if the service is not RUNNING in time, failed or was stopped
     * @throws ServiceBusyException if no slot under the concurrency limit freed up in time
     * @throws FlowgenticException wrapping a checked exception thrown by {@code call}
     */
    <R> R call(Duration readyTimeout, ServiceCall<? super S, R> call);

    /** A copy that completes with the instance once RUNNING; completing the copy changes nothing here. */
    CompletableFuture<S> toCompletableFuture();

    /**
     * Begins stopping the service without waiting. The returned future completes when it is
     * TERMINATED, or exceptionally if the stop failed or overran its deadline.
     */
    CompletableFuture<Void> stopAsync();

    /**
     * Stops the service: STOPPING, then TERMINATED once its stop action (the stop function given at
     * registration, else {@code close()} of an {@link AutoCloseable} instance) has run, exactly once.
     * Waits for the stop up to the service's stop timeout.
     *
     * @return false if the service had already stopped or failed
     */
    @Override
    boolean cancel(boolean mayInterruptIfRunning);

    /**
     * Adds a listener for this instance's transitions, called on {@code executor}.
     *
     * @throws NullPointerException if an argument is null
     */
    void addListener(ServiceListener listener, Executor executor);
}
