package dev.flowgentic4j.workflows;

import dev.flowgentic4j.workflows.telemetry.Telemetry;
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
 * yields the same instance, built by exactly one run of the initializer (a supervised restart
 * replaces it with a new generation: see {@link #generation()}). {@link #cancel(boolean)} stops the
 * service and closes the instance once; afterwards every await, {@code toCompletableFuture()}
 * included, throws {@link CancellationException}. States only move forward, so once
 * {@link #isDone()} is true it stays true.
 *
 * <p>All methods are thread-safe. Reading the state and calling a RUNNING service take no lock.
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

    /** Whether the state is RUNNING (also while a supervised restart replaces the instance). */
    default boolean isRunning() {
        return state() == ServiceState.RUNNING;
    }

    /**
     * Whether a supervised restart is replacing the instance right now: the service stays RUNNING,
     * calls and awaits wait for the next generation.
     */
    default boolean isRestarting() {
        return false;
    }

    /** Why the service FAILED, if it did. */
    Optional<Throwable> failureCause();

    /** How long the cold start took (all attempts and backoff), once RUNNING. */
    Optional<Duration> startupDuration();

    /**
     * How long the current generation has been live, read from the engine's {@link Ticker} (frozen
     * while a restart replaces it and once the service stops; a new generation starts from zero).
     */
    Duration uptime();

    /**
     * The number of the live instance behind this handle: 1 for the first, one more after each
     * supervised restart (0 before the first is RUNNING); it goes up when the new instance is live.
     * Callers holding an instance can compare it to tell whether it was replaced.
     */
    int generation();

    /**
     * The telemetry of the engine that runs this service: what calls the service through this handle
     * (a tool, a node) records its calls there.
     */
    Telemetry telemetry();

    /** The health check's last verdict ({@link HealthStatus#UNKNOWN} without a health check). */
    HealthStatus health();

    /** Calls inside {@link #call} right now. */
    int inFlightCalls();

    /**
     * Calls made through {@link #call} and {@link #callAsync}: successful, failed and refused
     * (busy or unavailable) alike.
     */
    long callCount();

    /** Calls made through {@link #call} and {@link #callAsync} that threw, refused ones included. */
    long failedCallCount();

    /**
     * Calls refused without reaching the instance: no slot under the concurrency limit in time
     * ({@link ServiceBusyException}), or the service not RUNNING in time, stopped or failed
     * ({@link ServiceUnavailableException}). Counted in {@link #callCount} and {@link #failedCallCount} too.
     */
    long refusedCallCount();

    /**
     * Idempotent calls run a second time because the instance they were in flight on died (see
     * {@link ServiceDefinition.Builder#idempotentCalls()}); each is counted once in {@link #callCount}
     * whatever its retry did.
     */
    default long retriedCallCount() {
        return 0;
    }

    /**
     * Waits until the service is RUNNING and returns the live instance (during a restart, the next
     * generation's).
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
     * it. Reads the service's state without locking. The instance is resolved at each call: during
     * a supervised restart the call waits (within {@code readyTimeout}) for the next generation and
     * reaches it. A stop waits for calls in flight (up to half its timeout) before it closes the
     * instance, except the calls of the thread that asked for the stop. If the instance dies while
     * the call is on it (see {@link ServiceDefinition.Builder#diesWhen}), the call fails with
     * {@link InstanceDiedException}, or runs once more on the next generation if it is idempotent
     * ({@link ServiceCall#idempotent}, {@link ServiceDefinition.Builder#idempotentCalls()}).
     *
     * @throws ServiceUnavailableException if the service is not RUNNING in time, failed or was stopped
     * @throws ServiceBusyException if no slot under the concurrency limit freed up in time
     * @throws InstanceDiedException if the instance died while the call was on it and the call threw
     *     (not idempotent, or its one retry failed too)
     * @throws ServiceCallException wrapping a checked exception thrown by {@code call} (runtime
     *     exceptions and errors pass through as they are)
     * @throws IllegalArgumentException if {@code readyTimeout} is zero or negative
     */
    <R> R call(Duration readyTimeout, ServiceCall<? super S, R> call);

    /**
     * {@link #call} without blocking a thread while it waits for a slot under the service's
     * concurrency limit. With a slot free at once, the call runs on the calling thread and the
     * returned future is already complete; otherwise the caller gets an incomplete future at once,
     * its place in the FIFO queue of waiting calls is kept, and the call runs on the backend when a
     * slot is handed to it. It fails with {@link ServiceBusyException} if no slot freed up within
     * the service's {@code callWaitTimeout} (timed by the engine's timer), and with the exceptions of
     * {@link #call} otherwise (a checked exception of {@code call} as {@link ServiceCallException}).
     * The default implementation calls {@link #call} on the calling thread.
     *
     * <pre>{@code
     * CompletableFuture<Integer> hits = future.callAsync(Duration.ofSeconds(5), Counter::increment);
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code readyTimeout} is zero or negative (thrown, not in the future)
     * @throws NullPointerException if an argument is null (thrown, not in the future)
     */
    default <R> CompletableFuture<R> callAsync(Duration readyTimeout, ServiceCall<? super S, R> call) {
        dev.flowgentic4j.workflows.spi.Checks.requirePositive(readyTimeout, "timeout");
        java.util.Objects.requireNonNull(call, "call");
        R result;
        try {
            result = call(readyTimeout, call);
        } catch (RuntimeException | Error e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.completedFuture(result);
    }

    /**
     * A copy that completes with the instance once RUNNING; completing the copy changes nothing here.
     * Once the service is stopping or stopped, the copy is cancelled ({@link CancellationException});
     * once it FAILED, it fails with the {@link ServiceFailedException}.
     */
    CompletableFuture<S> toCompletableFuture();

    /**
     * Begins stopping the service without waiting (or joins the stop in progress). The returned
     * future completes when it is TERMINATED, or exceptionally if the stop failed or overran its
     * deadline, or if the service had FAILED.
     */
    CompletableFuture<Void> stopAsync();

    /**
     * Stops the service: STOPPING, then TERMINATED once its stop action (the stop function given at
     * registration, else {@code close()} of an {@link AutoCloseable} instance) has run, exactly once.
     * A cold start in progress is interrupted; during a restart, the replaced instance's stop is
     * awaited too. Idempotent and blocking for every caller: returns once the stop is over (within
     * the service's stop timeout; a stop that failed or overran is logged and the state is FAILED).
     * Works from inside a listener callback or a call on this service.
     *
     * @return false only if the service had already stopped or failed before this call
     */
    @Override
    boolean cancel(boolean mayInterruptIfRunning);

    /**
     * Adds a listener for this instance's transitions, called on {@code executor}.
     *
     * @throws NullPointerException if an argument is null
     */
    void addListener(ServiceListener listener, Executor executor);

    /**
     * Replaces the live instance blue/green, with the same start arguments: the next generation is
     * cold-started (with the start's retries) and checked ready <em>beside</em> the live one, which
     * goes on serving meanwhile; then new calls switch to it at once; the replaced generation
     * drains (calls already on it finish there, up to half the stop timeout) and only then stops,
     * within the stop timeout. No call waits for the cold start and none fails because of the
     * replacement. Listeners hear {@code restarting(generation, null)} at the beginning and
     * {@code restarted(generation + 1)} at the switch; a stop during the replacement stops both.
     * A restart while one is under way joins it.
     *
     * <pre>{@code
     * int generation = db.restart().join();   // the pool was replaced; no query failed
     * }</pre>
     *
     * @return completes with the new generation once calls go to it; fails with
     *     {@link ServiceFailedException} if its cold start failed (the live generation goes on
     *     serving), {@link java.util.concurrent.CancellationException} if the service was stopped
     *     meanwhile, {@link IllegalStateException} if it has no live instance to replace
     */
    CompletableFuture<Integer> restart();

    /**
     * {@link #restart()} with new start arguments (a new model version, pool size, credential):
     * the next generation is cold-started with {@code newArgs}, which later restarts keep.
     * {@code newArgs} must be of the type the service's initializer takes.
     *
     * <pre>{@code
     * pool.update(new DbConfig(url, 32)).join();   // a bigger pool, with no failed query
     * }</pre>
     *
     * @return as {@link #restart()}; fails with {@link IllegalStateException} if another
     *     replacement is under way
     */
    CompletableFuture<Integer> update(Object newArgs);

    /**
     * The instances behind this handle right now: this handle alone for a service of one instance;
     * for a service defined with {@link ServiceDefinition.Builder#replicas(int)}, the replicas that
     * take calls (each with its own state, health, restarts and generation), in slot order.
     */
    default java.util.List<ServiceFuture<S>> replicas() {
        return java.util.List.of(this);
    }
}
