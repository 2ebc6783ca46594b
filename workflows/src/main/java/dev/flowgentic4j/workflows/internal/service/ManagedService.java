package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.FlowgenticException;
import dev.flowgentic4j.workflows.InstanceDiedException;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceCall;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceListener;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceUnavailableException;
import dev.flowgentic4j.workflows.Ticker;
import dev.flowgentic4j.workflows.internal.RetryingRun;
import dev.flowgentic4j.workflows.spi.Futures;
import dev.flowgentic4j.workflows.telemetry.Telemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service handle: the {@link ServiceFuture} users hold. It wires the pieces together and runs
 * the cold start; the state lives in its {@link ServiceLifecycle} (a snapshot read without locks,
 * transitions under a lock of this service alone). Stopping is {@link StopProcedure}, supervision
 * {@link RestartSupervisor} and {@link HealthMonitor}, awaiting and calling {@link ServiceCalls}
 * through the {@link CallGate}. Thread-safe.
 */
public final class ManagedService<A, S> implements ServiceFuture<S> {
    private static final Logger log = LoggerFactory.getLogger(ManagedService.class);

    private final Backend backend;
    private final Telemetry telemetry;
    private final ServiceDefinition<A, S> definition;
    private volatile A args;             // the start arguments of the live generation (update() changes them)
    private final String id;
    private final String replicaOf;
    private final RetryConfig retry;
    private final Duration stopTimeout;
    private final CallGate gate;
    private final ServiceLifecycle<S> lifecycle;
    private final HealthMonitor<S> health;
    private final ServiceListeners listeners;
    private final StopProcedure<S> stopping;
    private final RestartSupervisor<S> restarts;
    private final ServiceCalls<S> calls;
    private final String callLabel;

    /**
     * @param id this instance's id ({@code name#n}, or {@code name#n-rK} for a replica)
     * @param replicaOf the id of the replicated handle this instance is a replica of, or null
     */
    public ManagedService(Backend backend, Ticker ticker, Telemetry telemetry, ServiceDefinition<A, S> definition,
                          A args, String id, String replicaOf, RetryConfig retry, Duration stopTimeout) {
        this.backend = backend;
        this.telemetry = telemetry;
        this.definition = definition;
        this.args = args;
        this.id = id;
        this.replicaOf = replicaOf;
        this.retry = retry;
        this.stopTimeout = stopTimeout;
        this.listeners = new ServiceListeners(id);
        this.gate = new CallGate(id, definition.maxConcurrentCalls(), definition.callWaitTimeout(), backend);
        this.lifecycle = new ServiceLifecycle<>(id, ticker, listeners, () -> gate.close(this::noLongerTakingCalls));
        this.lifecycle.bind(this);
        this.calls = new ServiceCalls<>(id, replicaOf, lifecycle, gate, definition.deadOn().orElse(null),
                definition.idempotentCalls(), this::instanceDied);
        this.callLabel = "call on service '" + id + "'";
        this.stopping = new StopProcedure<>(id, backend, lifecycle, gate, definition.stopper(), stopTimeout);
        this.restarts = new RestartSupervisor<>(id, backend, lifecycle, definition.restartPolicy(), stopping,
                stopTimeout, this::coldStart, definition.singleInstance() ? null : this::replaceUnhealthy);
        this.health = definition.health()
                .map(config -> new HealthMonitor<>(id, backend, config, this::liveInstance, restarts))
                .orElse(null);
    }

    /** Whether the current thread is running a listener callback (of any service). */
    public static boolean insideListener() {
        return ServiceListeners.insideListener();
    }

    /**
     * Runs {@code read} while no service in {@code services} can change state, so that what it reads
     * is one instant; calls into the services go on meanwhile. {@code read} must be short.
     */
    public static void whileStatesHeld(List<ManagedService<?, ?>> services, Runnable read) {
        List<ServiceLifecycle<?>> lifecycles = new ArrayList<>(services.size());
        services.forEach(service -> lifecycles.add(service.lifecycle));
        ServiceLifecycle.whileAllHeld(lifecycles, read);
    }

    // ---- starting ----

    /**
     * NEW to STARTING; the engine calls it once, while it registers the handle (under its own
     * lock), after adding the listeners registered on the task. Their {@code starting} event is
     * queued here and delivered by the cold start, which the engine runs with no lock held.
     *
     * @return the cold start, for the engine to run once the handle is registered (the only way to
     *     reach it from outside this package)
     * @throws IllegalStateException if the service is not NEW
     */
    public Runnable markStarting() {
        lifecycle.start(); // no future completes at the start; the events wait for the cold start
        return this::coldStart;
    }

    /**
     * Delivers the events queued so far (the {@code starting} of the first cold start), then runs a
     * cold start with retries on the backend unless a stop was requested; also a restart's start.
     */
    void coldStart() {
        coldStart(args, null);
    }

    /**
     * A cold start with {@code withArgs}; {@code replaced}, if not null, is the future of a
     * single-instance replacement, told of the next generation (or of the start's failure).
     */
    private void coldStart(A withArgs, CompletableFuture<Integer> replaced) {
        listeners.dispatchToObservers();
        listeners.dispatch();
        ColdStart<S> start = lifecycle.beginColdStart();
        if (start == null) {
            if (replaced != null) {
                replaced.completeExceptionally(new java.util.concurrent.CancellationException(
                        "service '" + id + "' was stopped before its next instance started"));
            }
            return;
        }
        log.debug("service '{}' cold start", id);
        RetryingRun<Born<S>> run;
        try {
            run = RetryingRun.start(backend, "service '" + id + "' start", () -> newInstance(withArgs), retry,
                    (attempts, cause) -> new ServiceFailedException(id,
                            "failed to start after " + attempts + (attempts == 1 ? " attempt" : " attempts"), cause),
                    born -> stopping.stopOrphan(born.instance()));
        } catch (RuntimeException e) {
            startEnded(start, withArgs, replaced, null, e);
            return;
        }
        start.attach(run);
        run.result().whenComplete((born, error) -> startEnded(start, withArgs, replaced, born, error));
    }

    /** A new instance and its death signal (null without {@code diesWhen}). */
    private record Born<S>(S instance, CompletionStage<?> deathSignal) {}

    private Born<S> newInstance(A withArgs) throws Exception {
        S created = definition.initializer().start(withArgs);
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
        CompletionStage<?> signal = null;
        if (definition.diesWhen().isPresent()) {
            try {
                signal = definition.diesWhen().get().apply(created);
                if (signal == null) {
                    throw new NullPointerException("it returned null, expected a CompletionStage");
                }
            } catch (RuntimeException | Error e) {
                stopping.stopOrphan(created);
                throw new IllegalStateException("the death signal (diesWhen) of service '" + id
                        + "' failed on its new instance: " + e, e);
            }
        }
        return new Born<>(created, signal);
    }

    /**
     * Hears the death of the generation {@code calls} counts: once its signal completes (at once if
     * it already has), the generation died, unless we stopped or replaced it ourselves meanwhile.
     */
    private void watchDeath(Born<S> born, InFlight calls) {
        if (born.deathSignal() == null || calls == null) {
            return;
        }
        try {
            born.deathSignal().whenComplete((value, error) -> instanceDied(calls, error != null ? Futures.unwrap(error)
                    : new FlowgenticException("its death signal completed" + (value == null ? ""
                            : ": " + InstanceDiedException.bound(String.valueOf(value))))));
        } catch (RuntimeException e) { // a stage that refuses a callback: the death cannot be heard
            log.warn("service '{}': cannot watch the death signal of generation {}: {}", id, calls.generation(),
                    String.valueOf(e));
        }
    }

    /**
     * Generation {@code dead} died ({@code cause}): its death signal completed, or a call on it failed
     * with an exception {@code deadOn} matches. The first death of a generation counts, once, and
     * none once we stop it ourselves. The dead instance is stopped (no drain); the next generation
     * comes from a cold start within the restart budget (after the dead one stopped if single-instance),
     * or from the replacement under way; with no restart allowed the service FAILS at once.
     */
    void instanceDied(InFlight dead, Throwable cause) {
        ServiceLifecycle.Death<S> death = lifecycle.died(dead, cause, restarts::restartAllowed);
        death.events().complete(); // calls waiting on the dead generation move to the next one (or fail)
        switch (death.kind()) {
            case IGNORED -> { }
            case DRAINING -> log.warn("service '{}': generation {} died while its calls drained: {}", id,
                    dead.generation(), String.valueOf(cause));
            case FAILED -> {
                log.warn("service '{}': generation {} died and no restart is allowed: FAILED: {}", id,
                        dead.generation(), String.valueOf(cause));
                stopping.stopDead(death.instance(), null);
            }
            case REPLACEMENT -> {
                log.warn("service '{}': generation {} died during its replacement; calls wait for the next: {}", id,
                        dead.generation(), String.valueOf(cause));
                stopping.stopDead(death.instance(), death.retiring());
            }
            case RESTART -> {
                log.warn("service '{}': generation {} died; cold-starting the next: {}", id, dead.generation(),
                        String.valueOf(cause));
                CompletableFuture<Void> stopped = stopping.stopDead(death.instance(), death.retiring());
                if (definition.singleInstance()) {
                    stopped.whenComplete((ignored, never) -> restarts.restartAfterDeath());
                } else {
                    restarts.restartAfterDeath(); // beside the dead one's stop
                }
            }
        }
        death.events().dispatch();
    }

    /** The end of a cold start: a new live generation, an orphan to stop, a retried restart, or FAILED. */
    private void startEnded(ColdStart<S> start, A withArgs, CompletableFuture<Integer> replaced, Born<S> born,
                            Throwable error) {
        try {
            if (error == null) {
                S instance = born.instance();
                if (replaced != null) {
                    args = withArgs; // before the switch is told: later restarts keep the new arguments
                }
                ServiceLifecycle.Started started = lifecycle.started(instance);
                started.events().complete();           // waiters wake up before any listener runs
                if (started.orphan()) {
                    stopping.stopOrphan(instance); // stopped while the last attempt was finishing
                    if (replaced != null) {
                        replaced.completeExceptionally(new java.util.concurrent.CancellationException(
                                "service '" + id + "' was stopped while its next instance started"));
                    }
                } else {
                    if (health != null) {
                        health.watch(started.generation());
                    }
                    if (replaced != null) {
                        replaced.complete(started.generation());
                    }
                }
                start.markSettled();
                started.events().dispatch();
                if (!started.orphan()) {
                    watchDeath(born, started.calls());
                }
                return;
            }
            Throwable cause = Futures.unwrap(error);
            ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
            if (s.stopRequested()) {
                if (replaced != null) {
                    replaced.completeExceptionally(cause);
                }
                return; // cancelled by the stop, which ends it
            }
            if (replaced != null && s.restarting()) {
                // a single-instance replacement whose next instance did not start: the old one is already
                // stopped, so the previous arguments are started again (calls go on waiting)
                log.warn("service '{}': the next instance did not start; starting one with the previous arguments: {}",
                        id, String.valueOf(cause));
                replaced.completeExceptionally(new ServiceFailedException(id, "could not start its next instance (the"
                        + " previous one was already stopped, single-instance); starting one with the previous"
                        + " arguments again", cause));
                start.markSettled();
                coldStart();
                return;
            }
            if (replaced != null) {
                replaced.completeExceptionally(cause);
            }
            if (s.restarting()) {
                restarts.coldStartFailed(cause);
            } else {
                lifecycle.fail(cause).deliver();
            }
        } finally {
            start.markSettled();
        }
    }

    /** Why calls waiting for a slot end: the service was stopped or failed. */
    private ServiceUnavailableException noLongerTakingCalls() {
        ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
        if (s.state() == ServiceState.FAILED && !s.stopRequested()) {
            return new ServiceUnavailableException(id, s.state(), "the service failed", s.failure());
        }
        return new ServiceUnavailableException(id, s.state(), "the service was stopped", null);
    }

    // ---- blue/green replacement ----

    @Override
    public CompletableFuture<Integer> restart() {
        return replace(args, true);
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<Integer> update(Object newArgs) {
        return replace((A) newArgs, false); // a wrong type fails the next generation's cold start, not this one
    }

    /**
     * Cold-starts the next generation beside the live one (with retries), then switches new calls
     * to it at once, then drains and stops the replaced one: no call waits for the cold start and
     * none fails. A cold start that fails leaves the live generation serving.
     */
    private CompletableFuture<Integer> replace(A withArgs, boolean joinOngoing) {
        if (definition.singleInstance()) {
            return replaceInPlace(withArgs, joinOngoing);
        }
        return replace(withArgs, joinOngoing, -1, null);
    }

    /**
     * A supervised restart of {@code generation}, unhealthy but still answering (the last call on it
     * returned), blue/green: the next generation starts beside it and calls switch to it once it is
     * ready (the unhealthy one keeps answering meanwhile). False if nothing began: replaced, stopped,
     * a replacement under way, or not known to answer (its last call threw, or none was made), which
     * the supervisor restarts stop-then-start so that calls wait rather than reach a dead instance.
     */
    private boolean replaceUnhealthy(int generation, Throwable cause) {
        ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
        if (!s.live() || s.generation() != generation || !s.inFlight().answering()) {
            return false; // no call has shown it still answers (dead, or idle): stop-then-start, calls wait
        }
        CompletableFuture<Integer> done = replace(args, false, generation, cause);
        boolean refused = done.isCompletedExceptionally()
                && done.handle((ok, error) -> Futures.unwrap(error) instanceof IllegalStateException).join();
        return !refused; // a next generation that fails to start leaves the unhealthy one serving, still checked
    }

    private CompletableFuture<Integer> replace(A withArgs, boolean joinOngoing, int generation, Throwable healthCause) {
        ServiceLifecycle.Replacement<S> replacement = lifecycle.beginReplacement(joinOngoing, generation, healthCause);
        if (replacement == null) {
            ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
            String why = s.live() ? "another replacement is under way" : "it has no live instance to replace";
            return CompletableFuture.failedFuture(new IllegalStateException("service '" + id + "' is " + s.state()
                    + (s.restarting() ? " (restarting)" : "") + ", expected RUNNING with a live instance: " + why));
        }
        CompletableFuture<Integer> done = Futures.copyOf(replacement.done());
        if (!replacement.began()) {
            return done; // restart() while one is under way: the same switch
        }
        log.debug("service '{}': cold-starting the next generation beside the live one", id);
        RetryingRun<Born<S>> run;
        try {
            run = RetryingRun.start(backend, "service '" + id + "' next generation", () -> newInstance(withArgs), retry,
                    (attempts, cause) -> new ServiceFailedException(id, "could not start its next generation after "
                            + attempts + (attempts == 1 ? " attempt" : " attempts")
                            + "; the live generation goes on serving", cause),
                    born -> stopping.stopOrphan(born.instance()));
        } catch (RuntimeException e) {
            replacementEnded(replacement, withArgs, null, e);
            listeners.dispatchToObservers();
            listeners.dispatch();
            return done;
        }
        replacement.coldStart().attach(run);
        run.result().whenComplete((born, error) -> replacementEnded(replacement, withArgs, born, error));
        // restarting(generation, cause) once the cold start runs: a listener that stops the service stops it too
        listeners.dispatchToObservers();
        listeners.dispatch();
        return done;
    }

    /**
     * The stop-then-start replacement of a single-instance service: the service stays RUNNING
     * (restarting) and new calls wait; the calls in flight drain (up to half the stop timeout), the
     * live instance stops (within the stop timeout), and only then is the next one cold-started. Two
     * instances are never alive at once.
     */
    private CompletableFuture<Integer> replaceInPlace(A withArgs, boolean joinOngoing) {
        ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
        ServiceLifecycle.Restart<S> restart = s.live() ? lifecycle.beginRestart(s.generation(), null, true) : null;
        if (restart == null) {
            ServiceLifecycle.Snapshot<S> now = lifecycle.snapshot();
            if (joinOngoing && now.state() == ServiceState.RUNNING && now.restarting() && !now.stopRequested()) {
                return now.ready().thenApply(instance -> lifecycle.snapshot().generation()); // the same replacement
            }
            return CompletableFuture.failedFuture(new IllegalStateException("service '" + id + "' is " + now.state()
                    + (now.restarting() ? " (restarting)" : "") + ", expected RUNNING with a live instance: "
                    + (now.restarting() ? "another replacement is under way" : "it has no live instance to replace")));
        }
        CompletableFuture<Integer> done = new CompletableFuture<>();
        restart.events().complete();
        log.debug("service '{}' (single instance): stopping generation {} before starting the next", id, s.generation());
        dev.flowgentic4j.workflows.BackendWork<Void> stop = stopping.submitStop(restart.replaced(), 0);
        dev.flowgentic4j.workflows.internal.Timers.deadline(backend, stop.outcome(), stopTimeout, stop::cancel);
        stop.outcome().whenComplete((ignored, error) -> {
            if (error == null) {
                restart.retiring().complete(null);
            } else {
                Throwable failure = Futures.unwrap(error);
                log.warn("service '{}': the replaced instance did not stop cleanly: {}", id, String.valueOf(failure));
                restart.retiring().completeExceptionally(failure);
            }
            lifecycle.retired(restart.retiring());
            coldStart(withArgs, done);
        });
        restart.events().dispatch();
        return Futures.copyOf(done);
    }

    private void replacementEnded(ServiceLifecycle.Replacement<S> replacement, A withArgs, Born<S> born,
                                  Throwable error) {
        try {
            if (error != null) {
                Throwable cause = Futures.unwrap(error);
                ServiceLifecycle.ReplacementFailed failed = lifecycle.replacementFailed(replacement, cause);
                if (!(cause instanceof java.util.concurrent.CancellationException)) {
                    log.warn("service '{}': the next generation did not start; {}: {}", id, failed.restart()
                            ? "the live one died meanwhile, restarting" : "the live one goes on serving",
                            String.valueOf(cause));
                }
                failed.events().deliver();
                if (failed.restart()) {
                    restarts.coldStartFailed(cause); // within the restart budget, or FAILED
                }
                return;
            }
            S instance = born.instance();
            args = withArgs; // before the switch is told: a restart after update() keeps the new arguments
            ServiceLifecycle.Switch<S> next = lifecycle.switchTo(replacement, instance);
            if (next.orphan()) {
                stopping.stopOrphan(instance); // stopped (or failed) while it was starting
                next.events().deliver();
                return;
            }
            next.events().complete();
            if (health != null) {
                health.watch(next.generation());
            }
            if (next.replaced() != null) { // null if it died meanwhile: its death stops it
                stopping.retire(next.replaced(), next.generation() - 1, next.replacedCalls(), next.retiring());
            }
            next.events().dispatch();
            watchDeath(born, next.calls());
        } finally {
            replacement.coldStart().markSettled();
        }
    }

    private S liveInstance(int forGeneration) {
        ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
        return s.live() && s.generation() == forGeneration ? s.instance() : null;
    }

    // ---- stopping, awaiting and calling: see StopProcedure and ServiceCalls ----

    @Override
    public CompletableFuture<Void> stopAsync() {
        stopping.stop(false);
        return Futures.copyOf(lifecycle.termination());
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

    @Override
    public <R> CompletableFuture<R> callAsync(Duration readyTimeout, ServiceCall<? super S, R> call) {
        return calls.callAsync(readyTimeout, call, this::runCall);
    }

    private void runCall(Runnable call) {
        backend.submit(callLabel, () -> {
            call.run();
            return null;
        });
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
    public Telemetry telemetry() {
        return telemetry;
    }

    /** The id of the replicated handle this instance is a replica of, or null if it is not a replica. */
    public String replicaOf() {
        return replicaOf;
    }

    @Override
    public ServiceState state() {
        return lifecycle.snapshot().state();
    }

    @Override
    public boolean isRestarting() {
        return lifecycle.snapshot().restarting();
    }

    @Override
    public int generation() {
        return lifecycle.snapshot().generation();
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
        return Optional.ofNullable(lifecycle.snapshot().failure());
    }

    @Override
    public Optional<Duration> startupDuration() {
        ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
        return s.runningAt() == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(s.runningAt() - s.startedAt()));
    }

    @Override
    public Duration uptime() {
        ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
        if (s.liveSince() == 0) {
            return Duration.ZERO;
        }
        long end = s.stoppedAt() != 0 ? s.stoppedAt() : lifecycle.now();
        return Duration.ofNanos(Math.max(0, end - s.liveSince()));
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
    public long refusedCallCount() {
        return calls.refusedCallCount();
    }

    @Override
    public long retriedCallCount() {
        return calls.retriedCallCount();
    }

    @Override
    public boolean isCancelled() {
        return lifecycle.snapshot().cancelled();
    }

    @Override
    public boolean isDone() {
        return lifecycle.snapshot().state().compareTo(ServiceState.RUNNING) >= 0;
    }

    @Override
    public CompletableFuture<S> toCompletableFuture() {
        ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
        if (s.stopRequested() || s.state() == ServiceState.STOPPING || s.state() == ServiceState.TERMINATED) {
            return Futures.cancelled("service '" + id + "' was " + (s.cancelled() ? "cancelled" : "stopped"));
        }
        if (s.state() == ServiceState.FAILED) {
            return CompletableFuture.failedFuture(s.failure());
        }
        return Futures.copyOf(s.ready());
    }

    /** Completes when the service reaches a terminal state (exceptionally if it FAILED). */
    public CompletableFuture<Void> terminationFuture() {
        return Futures.copyOf(lifecycle.termination());
    }

    /** The stop deadline of this instance. */
    public Duration stopTimeout() {
        return stopTimeout;
    }

    @Override
    public void addListener(ServiceListener listener, Executor executor) {
        listeners.add(listener, executor);
    }

    /**
     * Engine use: adds the telemetry's observer, which hears each transition as part of publishing
     * it (on the transition's thread, before futures complete and before any listener); it must be
     * quick and must not block.
     */
    public void observe(ServiceObserver observer) {
        listeners.observe(observer);
    }

    @Override
    public String toString() {
        ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
        return "ServiceFuture[" + id + ", " + s.state() + (s.restarting() ? ", restarting" : "") + "]";
    }
}
