package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state machine of one service handle, and the only writer of its state.
 *
 * <p>The state is an immutable {@link Snapshot} published through one volatile field: readers (calls,
 * awaits, reports) never lock. Every transition runs under this lifecycle's own lock (one per
 * service, never shared), builds the next snapshot, queues the listener events it caused and returns
 * them as {@link Events}, which the caller delivers once the lock is released: no listener and no
 * future callback ever runs under the lock.
 *
 * <p>States only move forward (NEW, STARTING, RUNNING, STOPPING, then TERMINATED or FAILED). A
 * supervised restart is a new <em>generation</em> of a RUNNING service: the snapshot is marked
 * {@code restarting} and has no instance until the next generation is live, then the generation
 * number goes up. A blue/green replacement ({@link #beginReplacement}, {@link #switchTo}) keeps
 * the live instance until the next one is ready beside it, then publishes the next generation in
 * one step; the replaced one is drained and stopped outside. {@code isDone()} never turns false
 * again. {@code ServiceLifecycleTableTest} shows every state and flag combination against every
 * transition.
 *
 * <p>The pieces that act (cold start in {@link ManagedService}, {@link StopProcedure},
 * {@link RestartSupervisor}, {@link HealthMonitor}, {@link CallGate}) call these transition methods
 * and act on what they return; none of them writes lifecycle state.
 */
final class ServiceLifecycle<S> {

    /**
     * One consistent view of the service.
     *
     * @param generation the number of the live instance: 0 before the first is RUNNING, one more per restart
     * @param instance the live instance, or null (not RUNNING yet, restarting, or stopped)
     * @param restarting RUNNING, but the instance is being replaced
     * @param stopRequested a stop (cancel, stopAsync or close) was asked for
     * @param cancelled the stop was asked for through {@code cancel}
     * @param failure why the service FAILED, or null
     * @param startedAt ticker reading when the start began
     * @param runningAt ticker reading when the first generation became RUNNING, or 0
     * @param liveSince ticker reading when the current generation became live, or 0
     * @param stoppedAt ticker reading when the last instance stopped being live, or 0 while one is live
     * @param ready completes with the next (or current) generation's instance, or exceptionally
     * @param inFlight the calls on the current generation (a blue/green switch drains them)
     */
    record Snapshot<S>(ServiceState state, int generation, S instance, boolean restarting, boolean stopRequested,
                       boolean cancelled, Throwable failure, long startedAt, long runningAt, long liveSince,
                       long stoppedAt, CompletableFuture<S> ready, InFlight inFlight) {

        /** A NEW service: nothing started, the first instance's future pending. */
        static <S> Snapshot<S> initial() {
            return new Snapshot<>(ServiceState.NEW, 0, null, false, false, false, null, 0, 0, 0, 0,
                    new CompletableFuture<>(), new InFlight(0));
        }

        /** RUNNING with an instance that calls may use. */
        boolean live() {
            return state == ServiceState.RUNNING && !restarting;
        }

        /** STARTING, the start timed from {@code now}. */
        Snapshot<S> withStarting(long now) {
            return new Snapshot<>(ServiceState.STARTING, generation, null, false, false, false, null, now, runningAt,
                    liveSince, stoppedAt, ready, inFlight);
        }

        /** RUNNING with {@code live} as the next generation (the first sets {@code runningAt}). */
        Snapshot<S> withLiveInstance(S live, long now) {
            return withNextGeneration(live, now, ready);
        }

        /** RUNNING with {@code live} as the next generation, its own calls count and {@code liveReady}. */
        Snapshot<S> withNextGeneration(S live, long now, CompletableFuture<S> liveReady) {
            return new Snapshot<>(ServiceState.RUNNING, generation + 1, live, false, false, false, null, startedAt,
                    runningAt == 0 ? now : runningAt, now, 0, liveReady, new InFlight(generation + 1));
        }

        /** Still RUNNING, without an instance while the next generation starts; a new {@code ready}. */
        Snapshot<S> withRestarting(long now) {
            return new Snapshot<>(ServiceState.RUNNING, generation, null, true, false, false, null, startedAt,
                    runningAt, liveSince, now, new CompletableFuture<>(), inFlight);
        }

        /** FAILED with {@code cause}, without an instance. */
        Snapshot<S> withFailure(Throwable cause, long now) {
            return new Snapshot<>(ServiceState.FAILED, generation, null, false, stopRequested, cancelled, cause,
                    startedAt, runningAt, liveSince, stoppedAt != 0 ? stoppedAt : now, ready, inFlight);
        }

        /** A stop was asked for: {@code next} (STOPPING, or TERMINATED from NEW), without an instance. */
        Snapshot<S> withStopRequested(ServiceState next, boolean cancel, long now) {
            long stopped = stoppedAt != 0 || liveSince == 0 ? stoppedAt : now;
            return new Snapshot<>(next, generation, null, false, true, cancel, null, startedAt, runningAt,
                    liveSince, stopped, ready, inFlight);
        }

        /** The same, but the stop counts as a cancel. */
        Snapshot<S> withCancelled() {
            return new Snapshot<>(state, generation, instance, restarting, true, true, failure, startedAt,
                    runningAt, liveSince, stoppedAt, ready, inFlight);
        }

        /** The stop ended: TERMINATED, or FAILED with {@code failure}. */
        Snapshot<S> withStopped(Throwable stopFailure) {
            return new Snapshot<>(stopFailure == null ? ServiceState.TERMINATED : ServiceState.FAILED, generation,
                    null, false, true, cancelled, stopFailure, startedAt, runningAt, liveSince, stoppedAt, ready, inFlight);
        }
    }

    /**
     * What a transition caused: future completions (which wake waiters) and listener events
     * (already queued). Guava's order, with no lock held: {@link #complete()} first, then whatever
     * the engine must start itself (a stop and its deadline), then {@link #dispatch()}; so a slow or
     * blocking listener delays neither a waiter nor the engine's own work.
     */
    static final class Events {
        private final ServiceListeners listeners;
        private final List<Runnable> completions = new ArrayList<>(2);

        Events(ServiceListeners listeners) {
            this.listeners = listeners;
        }

        /**
         * Tells the engine's observers (the event stream), then completes the futures the
         * transition settled: waiters wake up. Idempotent.
         */
        void complete() {
            listeners.dispatchToObservers();
            List<Runnable> now;
            synchronized (completions) {
                now = List.copyOf(completions);
                completions.clear();
            }
            Throwable first = null;
            for (Runnable completion : now) {
                try {
                    completion.run();
                } catch (Throwable t) { // a dependent of a copy threw: the other futures still complete
                    if (first == null) {
                        first = t;
                    }
                }
            }
            if (first != null) {
                log.warn("a future callback threw", first);
            }
        }

        /** Hands the queued listener events to the listeners' executors. */
        void dispatch() {
            listeners.dispatch();
        }

        /** {@link #complete()}, then {@link #dispatch()}. */
        void deliver() {
            complete();
            dispatch();
        }

        void add(Runnable completion) {
            synchronized (completions) {
                completions.add(completion);
            }
        }
    }

    /**
     * The outcome of {@link #started}: the instance went live (generation, and the calls on it), or it
     * is an orphan to stop.
     */
    record Started(Events events, boolean orphan, int generation, InFlight calls) {}

    /** The outcome of {@link #requestStop}: what the stop procedure must do, if this request began a stop. */
    record StopPlan<S>(Events events, boolean wasOver, boolean began, S instance,
                       List<ColdStart<S>> coldStarts, List<CompletableFuture<Void>> retiring) {}

    /**
     * A blue/green replacement under way: its cold start and the future told of the switch;
     * {@code began} when this request began it (false when it joined one under way).
     */
    record Replacement<S>(ColdStart<S> coldStart, CompletableFuture<Integer> done, boolean began) {}

    /** The outcome of {@link #switchTo}: the replaced generation to drain and stop, or an orphan. */
    record Switch<S>(Events events, boolean orphan, int generation, S replaced, InFlight replacedCalls,
                     CompletableFuture<Void> retiring, InFlight calls) {}

    /** What a death does ({@link #died}). */
    enum DeathKind {
        /** Not the live generation (stopped or replaced by us, or the service is over): nothing to do. */
        IGNORED,
        /** A generation replaced blue/green died while its calls drained: its drain ends at once. */
        DRAINING,
        /** The live generation died: stop the dead instance and cold-start the next generation. */
        RESTART,
        /** The live generation died during a blue/green replacement: stop it; the replacement becomes next. */
        REPLACEMENT,
        /** The live generation died and no restart is allowed: the service FAILED; stop the dead instance. */
        FAILED
    }

    /**
     * The outcome of {@link #died}: what to do, the dead instance to stop (RESTART, REPLACEMENT,
     * FAILED), and the future its stop completes (RESTART, REPLACEMENT: a stop of the service waits
     * for it).
     */
    record Death<S>(Events events, DeathKind kind, S instance, CompletableFuture<Void> retiring) {}

    /** The outcome of {@link #replacementFailed}: {@code restart} if no generation is live (it died meanwhile). */
    record ReplacementFailed(Events events, boolean restart) {}

    /** The outcome of {@link #beginRestart}: the replaced instance and the future its stop completes. */
    record Restart<S>(Events events, S replaced, CompletableFuture<Void> retiring) {}

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ServiceLifecycle.class);

    private final String id;
    private final Ticker ticker;
    private final ServiceListeners listeners;
    private final Runnable callsEnd;
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Snapshot<S> snapshot;
    private ServiceFuture<?> handle;            // set once, before any transition
    private ColdStart<S> coldStart;             // guarded by lock: the cold start in progress, if any
    private Replacement<S> replacement;         // guarded by lock: the blue/green replacement under way, if any
    private final List<CompletableFuture<Void>> retiring = new ArrayList<>(1); // guarded by lock: stops of replaced instances

    /**
     * @param callsEnd run (as a completion, no lock held) once the service stops taking calls: at the
     *     stop request or when it FAILS; it ends the calls still waiting for a slot
     */
    ServiceLifecycle(String id, Ticker ticker, ServiceListeners listeners, Runnable callsEnd) {
        this.id = id;
        this.ticker = ticker;
        this.listeners = listeners;
        this.callsEnd = callsEnd;
        this.snapshot = Snapshot.initial();
    }

    void bind(ServiceFuture<?> handle) {
        this.handle = handle;
    }

    /** Whether a blue/green replacement is under way (its next generation starting beside the live one). */
    boolean replacing() {
        lock.lock();
        try {
            return replacement != null;
        } finally {
            lock.unlock();
        }
    }

    /** The current state; never blocks. */
    Snapshot<S> snapshot() {
        return snapshot;
    }

    /** Completes when the service is TERMINATED (normally) or FAILED (exceptionally). */
    CompletableFuture<Void> termination() {
        return termination;
    }

    long now() {
        return ticker.read();
    }

    /**
     * Runs {@code read} while holding the locks of every lifecycle in {@code all}: no transition of
     * any of them happens meanwhile, so what it reads is one instant. Calls are not held up (they
     * take no lock); transitions wait. {@code read} must be short and must not call user code.
     */
    static void whileAllHeld(List<ServiceLifecycle<?>> all, Runnable read) {
        int held = 0;
        try {
            for (ServiceLifecycle<?> lifecycle : all) {
                lifecycle.lock.lock();
                held++;
            }
            read.run();
        } finally {
            for (int i = held - 1; i >= 0; i--) {
                all.get(i).lock.unlock();
            }
        }
    }

    // ---- transitions ----

    /** The body of one transition: runs under the lock with the current snapshot and the ticker's reading. */
    @FunctionalInterface
    private interface Step<S, R> {
        R apply(Snapshot<S> current, Events events, long now);
    }

    /**
     * The shape of every transition: reads the ticker (outside the lock), then runs {@code step}
     * under this service's lock with the current snapshot and a fresh {@link Events}; the step
     * publishes with {@link #publish} and queues completions; the caller delivers them unlocked.
     */
    private <R> R transition(Step<S, R> step) {
        long now = now();
        lock.lock();
        try {
            return step.apply(snapshot, new Events(listeners), now);
        } finally {
            lock.unlock();
        }
    }

    /** NEW to STARTING. */
    Events start() {
        return transition((s, events, now) -> {
            if (s.state() != ServiceState.NEW) {
                throw new IllegalStateException("service '" + id + "' is " + s.state() + ", expected NEW");
            }
            publish(s, s.withStarting(now), null);
            return events;
        });
    }

    /**
     * Registers a cold start (the first, or a restart's), unless a stop was requested.
     *
     * @return the cold start to run, or null if the service is stopping or over
     */
    ColdStart<S> beginColdStart() {
        return transition((s, events, now) -> {
            boolean starting = s.state() == ServiceState.STARTING || s.state() == ServiceState.RUNNING && s.restarting();
            if (s.stopRequested() || !starting || replacement != null) {
                return null; // a replacement under way (its live generation died) brings the next one
            }
            coldStart = new ColdStart<>();
            return coldStart;
        });
    }

    /** A cold start produced {@code instance}: the next generation is live, or the instance is an orphan. */
    Started started(S instance) {
        return transition((s, events, now) -> {
            boolean first = s.state() == ServiceState.STARTING;
            if (s.stopRequested() || !(first || s.state() == ServiceState.RUNNING && s.restarting())
                    || replacement != null) {
                return new Started(events, true, s.generation(), null);
            }
            coldStart = null; // its outcome is this instance: a stop from now on stops the instance
            Snapshot<S> next = s.withLiveInstance(instance, now);
            publish(s, next, null);
            if (!first) {
                listeners.queue("restarted", l -> l.restarted(handle, next.generation()));
            }
            events.add(() -> next.ready().complete(instance));
            return new Started(events, false, next.generation(), next.inFlight());
        });
    }

    /**
     * The service FAILED (a start that ran out of attempts, a restart budget spent); ignored once a
     * stop was requested or the service is over.
     */
    Events fail(Throwable cause) {
        return transition((s, events, now) -> {
            if (s.stopRequested() || s.state().isTerminal()) {
                return events;
            }
            Throwable failure = cause instanceof ServiceFailedException ? cause
                    : new ServiceFailedException(id, "failed", cause);
            coldStart = null;
            retiring.clear();
            Replacement<S> dropped = replacement;
            replacement = null;
            publish(s, s.withFailure(failure, now), failure);
            if (dropped != null) {
                dropped.coldStart().cancel();
                events.add(() -> dropped.done().completeExceptionally(failure));
            }
            events.add(callsEnd);
            events.add(() -> s.ready().completeExceptionally(failure));
            events.add(() -> termination.completeExceptionally(failure));
            return events;
        });
    }

    /**
     * A stop was requested: NEW goes straight to TERMINATED, STARTING and RUNNING to STOPPING. Only
     * the first request begins the stop; the plan tells it what to stop.
     */
    StopPlan<S> requestStop(boolean cancel) {
        return transition((s, events, now) -> {
            if (s.state().isTerminal() || s.stopRequested()) {
                if (cancel && !s.state().isTerminal() && !s.cancelled()) {
                    snapshot = s.withCancelled(); // no event: the stop already began
                }
                return new StopPlan<>(events, s.state().isTerminal(), false, null, List.of(), List.of());
            }
            ServiceState next = s.state() == ServiceState.NEW ? ServiceState.TERMINATED : ServiceState.STOPPING;
            if (s.instance() != null) {
                s.inFlight().stopping(); // a death signal from now on is this stop's doing
            }
            publish(s, s.withStopRequested(next, cancel, now), null);
            String message = "service '" + id + "' was " + (cancel ? "cancelled" : "stopped");
            events.add(callsEnd);
            events.add(() -> s.ready().completeExceptionally(new CancellationException(message)));
            if (next == ServiceState.TERMINATED) {
                events.add(() -> termination.complete(null));
            }
            List<ColdStart<S>> starts = new ArrayList<>(2);
            if (coldStart != null) {
                starts.add(coldStart);
            }
            if (replacement != null) {
                starts.add(replacement.coldStart());
                CompletableFuture<Integer> done = replacement.done();
                events.add(() -> done.completeExceptionally(new CancellationException(message)));
            }
            StopPlan<S> plan = new StopPlan<>(events, false, true, s.instance(), List.copyOf(starts),
                    List.copyOf(retiring));
            coldStart = null;
            replacement = null;
            retiring.clear();
            return plan;
        });
    }

    /** The stop procedure ended: STOPPING to TERMINATED, or to FAILED if the stop failed or overran. */
    Events stopped(Throwable stopFailure) {
        return transition((s, events, now) -> {
            if (s.state() != ServiceState.STOPPING) {
                return events;
            }
            if (stopFailure == null) {
                publish(s, s.withStopped(null), null);
                events.add(() -> termination.complete(null));
            } else {
                Throwable failure = new ServiceFailedException(id, "failed to stop", stopFailure);
                publish(s, s.withStopped(failure), failure);
                events.add(() -> termination.completeExceptionally(failure));
            }
            return events;
        });
    }

    /**
     * A supervised restart of {@code generation} begins: the service stays RUNNING, marked restarting,
     * without an instance; calls wait for the next generation.
     *
     * @return the replaced instance and the future its stop must complete, or null if the service
     *     moved on (stopped, failed, or that generation is already replaced)
     */
    Restart<S> beginRestart(int generation, Throwable cause, boolean replacing) {
        return transition((s, events, now) -> {
            if (!s.live() || s.stopRequested() || s.generation() != generation || replacement != null) {
                return null; // moved on, or a blue/green replacement under way replaces it anyway
            }
            s.inFlight().stopping(); // a death signal from now on is this restart's doing
            snapshot = s.withRestarting(now); // no state change: the restart is told by its own event
            if (replacing) {
                listeners.queue("restart", l -> l.restarting(handle, generation, cause));
            }
            CompletableFuture<Void> stop = new CompletableFuture<>();
            retiring.add(stop);
            return new Restart<>(events, s.instance(), stop);
        });
    }

    /** A restart's replaced instance has stopped (or failed to); it no longer holds up a stop. */
    void retired(CompletableFuture<Void> stop) {
        transition((s, events, now) -> {
            retiring.remove(stop);
            return null;
        });
    }

    /**
     * A generation replaced blue/green was drained and has stopped (or failed to): it no longer holds
     * up a stop, and the engine's observers hear how the drain ended.
     */
    Events retired(CompletableFuture<Void> stop, ServiceObserver.Drain drain) {
        return transition((s, events, now) -> {
            retiring.remove(stop);
            listeners.queueForObservers("drained", o -> o.drained(handle, drain));
            return events;
        });
    }

    /**
     * A blue/green replacement begins: the current generation keeps serving while {@code coldStart}
     * makes the next one ready beside it. One at a time: if one is under way, it is returned instead.
     *
     * @return the replacement (new or under way), or null if the service has no live instance to
     *     replace (not RUNNING yet, restarting, stopping or over)
     */
    Replacement<S> beginReplacement(boolean joinOngoing) {
        return beginReplacement(joinOngoing, -1, null);
    }

    /**
     * {@link #beginReplacement(boolean)} of {@code ofGeneration} only (any if negative), told to the
     * listeners with {@code cause} (a supervised restart's health failure, or null if planned).
     */
    Replacement<S> beginReplacement(boolean joinOngoing, int ofGeneration, Throwable cause) {
        return transition((s, events, now) -> {
            if (replacement != null) {
                return joinOngoing ? new Replacement<>(replacement.coldStart(), replacement.done(), false) : null;
            }
            if (!s.live() || s.stopRequested() || ofGeneration >= 0 && s.generation() != ofGeneration) {
                return null;
            }
            replacement = new Replacement<>(new ColdStart<>(), new CompletableFuture<>(), true);
            int generation = s.generation();
            listeners.queue("restart", l -> l.restarting(handle, generation, cause),
                    o -> o.replacing(handle, generation, cause));
            return replacement;
        });
    }

    /**
     * The replacement's cold start produced {@code instance}: new calls go to it from now on (one
     * atomic publication); the replaced generation is handed back to be drained and stopped.
     */
    Switch<S> switchTo(Replacement<S> of, S instance) {
        return transition((s, events, now) -> {
            if (replacement == null || replacement.coldStart() != of.coldStart()
                    || !(s.live() || s.state() == ServiceState.RUNNING && s.restarting()) || s.stopRequested()) {
                return new Switch<>(events, true, s.generation(), null, null, null, null); // stopped meanwhile
            }
            replacement = null;
            Snapshot<S> next = s.withNextGeneration(instance, now, CompletableFuture.completedFuture(instance));
            snapshot = next; // still RUNNING: told by restarted()
            events.add(() -> of.done().complete(next.generation()));
            if (s.restarting()) { // the replaced generation died meanwhile: it is being stopped; calls waited
                listeners.queue("restarted", l -> l.restarted(handle, next.generation())); // nothing drains
                events.add(() -> s.ready().complete(instance));
                return new Switch<>(events, false, next.generation(), null, null, null, next.inFlight());
            }
            listeners.queue("restarted", l -> l.restarted(handle, next.generation()),
                    o -> o.switched(handle, next.generation()));
            s.inFlight().retire(); // draining from now on: a death while it drains ends the drain
            CompletableFuture<Void> stop = new CompletableFuture<>();
            retiring.add(stop);
            return new Switch<>(events, false, next.generation(), s.instance(), s.inFlight(), stop, next.inFlight());
        });
    }

    /**
     * The replacement's cold start failed: the current generation goes on serving; or, if it died
     * meanwhile, the caller must restart the service (a cold start within the restart budget).
     */
    ReplacementFailed replacementFailed(Replacement<S> of, Throwable cause) {
        return transition((s, events, now) -> {
            if (replacement != null && replacement.coldStart() == of.coldStart()) {
                replacement = null;
                events.add(() -> of.done().completeExceptionally(cause));
                return new ReplacementFailed(events, s.state() == ServiceState.RUNNING && s.restarting()
                        && !s.stopRequested());
            }
            return new ReplacementFailed(events, false);
        });
    }

    /**
     * The instance of {@code dead}'s generation died ({@code cause}); the first death of a generation
     * counts, once, and none once we began to stop it ourselves. The live generation stops being live
     * at once (calls wait for the next one) and the caller stops the dead instance; then the next
     * generation comes from a replacement under way, or from a cold start if {@code restartAllowed}
     * (asked only then: it takes one restart from the budget), or the service FAILS. A generation
     * replaced blue/green that dies while its calls drain only ends its drain.
     */
    Death<S> died(InFlight dead, Throwable cause, java.util.function.BooleanSupplier restartAllowed) {
        return transition((s, events, now) -> {
            int generation = dead.generation();
            boolean over = s.stopRequested() || s.state() != ServiceState.RUNNING;
            if (over || !s.live() || s.inFlight() != dead) {
                if (!dead.markDead(cause) || over || !dead.retired()) {
                    return new Death<>(events, DeathKind.IGNORED, null, null); // told before, stopped or replaced by us
                }
                listeners.queue("instance died", l -> l.instanceDied(handle, generation, cause));
                return new Death<>(events, DeathKind.DRAINING, null, null); // its drain ends; its retirement stops it
            }
            if (!dead.mayDie()) {
                return new Death<>(events, DeathKind.IGNORED, null, null); // a death told before
            }
            // the live generation: its fate only changes under this lock, so the death is ours to tell. The
            // next snapshot is published before the death is recorded: a call that sees the death sees it too
            listeners.queue("instance died", l -> l.instanceDied(handle, generation, cause));
            if (replacement == null && !restartAllowed.getAsBoolean()) {
                Throwable failure = new ServiceFailedException(id, "lost its instance (generation " + generation
                        + " died) and its restart policy allows no restart (RestartPolicy.never() by default:"
                        + " set restartPolicy(RestartPolicy.onFailure(...)) to replace a dead instance)", cause);
                coldStart = null;
                retiring.clear();
                publish(s, s.withFailure(failure, now), failure);
                dead.markDead(cause);
                events.add(callsEnd);
                events.add(() -> s.ready().completeExceptionally(failure));
                events.add(() -> termination.completeExceptionally(failure));
                return new Death<>(events, DeathKind.FAILED, s.instance(), null);
            }
            snapshot = s.withRestarting(now); // still RUNNING: calls wait for the next generation
            dead.markDead(cause);
            CompletableFuture<Void> stop = new CompletableFuture<>();
            retiring.add(stop);
            if (replacement != null) {
                return new Death<>(events, DeathKind.REPLACEMENT, s.instance(), stop);
            }
            listeners.queue("restart", l -> l.restarting(handle, generation, cause));
            return new Death<>(events, DeathKind.RESTART, s.instance(), stop);
        });
    }

    /** The health verdict changed; only an event. */
    Events healthChanged(HealthStatus status) {
        return transition((s, events, now) -> {
            listeners.queue("health change", l -> l.healthChanged(handle, status));
            return events;
        });
    }

    /** Publishes {@code next} and queues the listener event of the move from {@code current}'s state. */
    private void publish(Snapshot<S> current, Snapshot<S> next, Throwable cause) {
        snapshot = next;
        ServiceState from = current.state();
        ServiceState to = next.state();
        if (to == from) {
            return;
        }
        switch (to) {
            case STARTING -> listeners.queue("STARTING", l -> l.starting(handle));
            case RUNNING -> listeners.queue("RUNNING", l -> l.running(handle));
            case STOPPING -> listeners.queue("STOPPING", l -> l.stopping(handle, from));
            case TERMINATED -> listeners.queue("TERMINATED", l -> l.terminated(handle, from));
            case FAILED -> listeners.queue("FAILED", l -> l.failed(handle, from, cause));
            default -> { }
        }
    }

    @Override
    public String toString() {
        Snapshot<S> s = snapshot;
        return "ServiceLifecycle[" + id + ", " + s.state() + ", generation " + s.generation()
                + (s.restarting() ? ", restarting" : "") + "]";
    }
}
