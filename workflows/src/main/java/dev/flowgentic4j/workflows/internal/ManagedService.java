package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceCall;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceListener;
import dev.flowgentic4j.workflows.ServiceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one service handle. Every transition happens under the engine's shared
 * lock, so the engine's snapshot by state is consistent; no foreign code runs under that lock.
 * Within one instance the state only moves forward; a supervised restart begins a new instance
 * (generation) at STARTING behind the same handle.
 *
 * <p>This class holds the state, the transitions and the start; its collaborators, in this package,
 * read and write the fields marked "guarded by lock" only while holding {@link #lock}:
 * {@link StopProcedure} (stopping), {@link RestartSupervisor} (health verdicts and restarts) and
 * {@link ServiceCalls} (awaiting and calling).
 */
public final class ManagedService<A, S> implements ServiceFuture<S> {
    private static final Logger log = LoggerFactory.getLogger(ManagedService.class);

    final Object lock;
    final Backend backend;
    final ServiceDefinition<A, S> definition;
    private final A args;
    final String id;
    private final RetryConfig retry;
    final Duration stopTimeout;
    final CallGate gate;
    final HealthMonitor<S> health;
    final CompletableFuture<Void> terminated = new CompletableFuture<>();
    final ServiceListeners listeners = new ServiceListeners();
    final StopProcedure<S> stopping = new StopProcedure<>(this);
    private final RestartSupervisor<S> restarts = new RestartSupervisor<>(this);
    private final ServiceCalls<S> calls = new ServiceCalls<>(this);

    // written under lock; volatile so that the call path can read them without it
    volatile ServiceState state = ServiceState.NEW;
    volatile S instance;
    // guarded by lock
    CompletableFuture<S> ready = new CompletableFuture<>();
    int generation;
    Throwable failure;
    boolean cancelled;
    boolean stopRequested;
    private long startNanos;
    private long runningNanos;
    long stoppedNanos;
    RetryingRun<S> run;

    public ManagedService(Object lock, Backend backend, ServiceDefinition<A, S> definition, A args, String id,
                          RetryConfig retry, Duration stopTimeout) {
        this.lock = lock;
        this.backend = backend;
        this.definition = definition;
        this.args = args;
        this.id = id;
        this.retry = retry;
        this.stopTimeout = stopTimeout;
        this.gate = new CallGate(id, definition.maxConcurrentCalls(), definition.callWaitTimeout());
        this.health = definition.health()
                .map(config -> new HealthMonitor<>(id, backend, config, this::liveInstance, restarts))
                .orElse(null);
    }

    // ---- starting ----

    /** Begins the cold start on the backend. Called once, by the engine. */
    public void start() {
        List<Runnable> actions;
        synchronized (lock) {
            startNanos = System.nanoTime();
            actions = moveTo(ServiceState.STARTING, null);
        }
        fire(actions);
        log.debug("service '{}' starting", id);
        coldStart();
    }

    /** Starts a new instance with retries, unless a stop was requested; also a restart's start. */
    void coldStart() {
        RetryingRun<S> started;
        synchronized (lock) {
            if (stopRequested) {
                return;
            }
            started = RetryingRun.start(backend, "service '" + id + "' start", this::newInstance, retry,
                    (attempts, cause) -> new ServiceFailedException(id,
                            "failed to start after " + attempts + (attempts == 1 ? " attempt" : " attempts"), cause),
                    stopping::stopOrphan);
            run = started;
        }
        started.result().whenComplete(this::startEnded);
    }

    private S newInstance() throws Exception {
        S created = definition.initializer().start(args);
        if (created == null) {
            throw new NullPointerException("the initializer of service '" + id + "' returned null");
        }
        if (definition.readiness().isPresent()) {
            try {
                definition.readiness().get().check(created);
            } catch (Exception | Error e) {
                stopping.stopOrphan(created);
                throw e;
            }
        }
        return created;
    }

    /** The end of a cold start: RUNNING, FAILED, another restart within the budget, or an orphan. */
    void startEnded(S started, Throwable error) {
        List<Runnable> actions = List.of();
        S orphan = null;
        boolean retryRestart = false;
        synchronized (lock) {
            if (error == null && state == ServiceState.STARTING) {
                instance = started;
                generation++;
                runningNanos = System.nanoTime();
                stoppedNanos = 0;
                actions = moveTo(ServiceState.RUNNING, null);
            } else if (error == null) {
                orphan = started; // stopped while the last attempt was finishing
            } else if (state == ServiceState.STARTING) {
                Throwable cause = RetryingRun.unwrap(error);
                if (generation > 0 && restarts.restartAllowed()) {
                    retryRestart = true; // a restart's cold start failed: try again within the budget
                } else {
                    actions = moveTo(ServiceState.FAILED, generation > 0 ? restarts.budgetSpent(cause) : cause);
                }
            }
        }
        fire(actions);
        if (health != null && state == ServiceState.RUNNING && error == null && orphan == null) {
            health.watch(generationNow());
        }
        if (orphan != null) {
            stopping.stopOrphan(orphan);
        }
        if (retryRestart) {
            restarts.scheduleColdStart();
        }
        terminateIfStoppedWhileStarting();
    }

    /** Ends a stop that found no instance to stop (stopped while starting or between restarts). */
    void terminateIfStoppedWhileStarting() {
        List<Runnable> actions = List.of();
        synchronized (lock) {
            if (state == ServiceState.STOPPING && instance == null) {
                actions = moveTo(ServiceState.TERMINATED, null);
            }
        }
        fire(actions);
    }

    private S liveInstance(int forGeneration) {
        synchronized (lock) {
            return state == ServiceState.RUNNING && generation == forGeneration ? instance : null;
        }
    }

    // ---- transitions ----

    /**
     * Moves to {@code next} (caller holds the lock) and returns what to do once the lock is released:
     * complete the futures (listener events are queued, in order).
     */
    List<Runnable> moveTo(ServiceState next, Throwable cause) {
        ServiceState from = state;
        if (from.isTerminal() || next.compareTo(from) <= 0) {
            throw new IllegalStateException("service '" + id + "' cannot move from " + from + " to " + next);
        }
        state = next;
        List<Runnable> actions = new ArrayList<>(2);
        CompletableFuture<S> readyNow = ready;
        if (next == ServiceState.RUNNING) {
            S live = instance;
            actions.add(() -> readyNow.complete(live));
        } else if (next == ServiceState.FAILED) {
            actions.add(() -> readyNow.completeExceptionally(cause));
        }
        if (next == ServiceState.FAILED) {
            failure = cause;
            actions.add(() -> terminated.completeExceptionally(cause));
        } else if (next == ServiceState.TERMINATED) {
            actions.add(() -> terminated.complete(null));
        }
        if (next.isTerminal()) {
            instance = null;
        }
        listeners.queueTransition(this, from, next, cause);
        return actions;
    }

    /**
     * The one move back (caller holds the lock): a supervised restart drops the unhealthy instance of
     * {@code fromGeneration} and begins a new one at STARTING behind the same handle, with a new
     * readiness future. Returns what to do once the lock is released (nothing but the queued event).
     */
    List<Runnable> beginNewInstance(int fromGeneration, Throwable cause) {
        instance = null;
        stoppedNanos = System.nanoTime();
        state = ServiceState.STARTING; // a new instance begins behind the same handle
        ready = new CompletableFuture<>();
        listeners.queueRestart(this, fromGeneration, cause);
        return new ArrayList<>();
    }

    /** Delivers queued listener events in transition order, then runs {@code actions}. */
    void fire(List<Runnable> actions) {
        listeners.deliver();
        actions.forEach(Runnable::run);
    }

    // ---- stopping, awaiting and calling: see StopProcedure and ServiceCalls ----

    @Override
    public CompletableFuture<Void> stopAsync() {
        return stopping.stopAsync();
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return stopping.cancel();
    }

    @Override
    public S join() {
        return calls.join();
    }

    @Override
    public S awaitRunning(Duration timeout) throws TimeoutException {
        return calls.awaitRunning(timeout);
    }

    @Override
    public S get() throws InterruptedException, ExecutionException {
        return calls.get();
    }

    @Override
    public S get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return calls.get(timeout, unit);
    }

    @Override
    public <R> R call(Duration readyTimeout, ServiceCall<? super S, R> call) {
        return calls.call(readyTimeout, call);
    }

    // ---- reporting ----

    @Override
    public String name() {
        return definition.name();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public ServiceState state() {
        return state;
    }

    @Override
    public int generation() {
        synchronized (lock) {
            return generation;
        }
    }

    private int generationNow() {
        return generation();
    }

    @Override
    public HealthStatus health() {
        return health == null ? HealthStatus.UNKNOWN : health.status();
    }

    @Override
    public int inFlightCalls() {
        return gate.inFlight();
    }

    @Override
    public Optional<Throwable> failureCause() {
        synchronized (lock) {
            return Optional.ofNullable(failure);
        }
    }

    @Override
    public Optional<Duration> startupDuration() {
        synchronized (lock) {
            return runningNanos == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(runningNanos - startNanos));
        }
    }

    @Override
    public Duration uptime() {
        synchronized (lock) {
            if (runningNanos == 0) {
                return Duration.ZERO;
            }
            long end = stoppedNanos != 0 ? stoppedNanos : System.nanoTime();
            return Duration.ofNanos(Math.max(0, end - runningNanos));
        }
    }

    @Override
    public long callCount() {
        return calls.callCount();
    }

    @Override
    public long failedCallCount() {
        return calls.failedCallCount();
    }

    @Override
    public boolean isCancelled() {
        synchronized (lock) {
            return cancelled;
        }
    }

    @Override
    public boolean isDone() {
        return state.compareTo(ServiceState.RUNNING) >= 0;
    }

    @Override
    public CompletableFuture<S> toCompletableFuture() {
        synchronized (lock) {
            return ready.copy();
        }
    }

    /** Completes when the service reaches a terminal state. */
    public CompletableFuture<Void> terminationFuture() {
        return terminated.copy();
    }

    /** The stop deadline of this instance. */
    public Duration stopTimeout() {
        return stopTimeout;
    }

    /** The state, for a caller already holding the engine lock. */
    public ServiceState stateLocked() {
        return state;
    }

    @Override
    public void addListener(ServiceListener listener, Executor executor) {
        listeners.add(listener, executor);
    }

    @Override
    public String toString() {
        return "ServiceFuture[" + id + ", " + state + "]";
    }
}
