package dev.flowgentic4j.workflows.internal.replicas;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.InstanceDiedException;
import dev.flowgentic4j.workflows.ReplicaPolicy;
import dev.flowgentic4j.workflows.ServiceCall;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceListener;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceUnavailableException;
import dev.flowgentic4j.workflows.Ticker;
import dev.flowgentic4j.workflows.internal.Timers;
import dev.flowgentic4j.workflows.internal.service.ManagedService;
import dev.flowgentic4j.workflows.internal.service.RoutedCall;
import dev.flowgentic4j.workflows.spi.Checks;
import dev.flowgentic4j.workflows.spi.Futures;
import dev.flowgentic4j.workflows.telemetry.ServiceEvent;
import dev.flowgentic4j.workflows.telemetry.Telemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * n replicas of one service behind one {@link ServiceFuture}. Each replica is an ordinary service
 * instance (its own state, health, restarts and generation, its own {@code maxConcurrentCalls}
 * gate), started through the engine so that the engine's close, telemetry and snapshots see it.
 *
 * <p>Routing takes no lock: a call reads the volatile list of replicas taking calls and goes to
 * the one with the fewest calls in flight (counted here, calls waiting for a slot included), ties
 * broken by rotation. Membership changes (a scale action, one step of a rolling update) happen
 * under this service's own lock and publish a new list; a replica leaving it is marked retired,
 * then stopped, and its stop waits for the calls already in it. A call that counted itself on a
 * replica that was retired meanwhile, or that was refused by a replica that is no longer RUNNING,
 * never reached an instance and goes to another replica within its own timeout.
 *
 * <p>Autoscaling is evaluated when a call starts and ends (a few atomic reads) and on a timer of
 * the backend's scheduler; the timer only reads counters and hands a scale action to the backend,
 * so no user code runs on it. One action at a time: a scale action or a rolling update.
 */
public final class ReplicatedService<A, S> implements ServiceFuture<S> {
    private static final Logger log = LoggerFactory.getLogger(ReplicatedService.class);
    private static final long NOT_RUNNING_PENALTY = 1L << 20;

    /** Starts one replica through the engine (registered, cold start begun). */
    @FunctionalInterface
    public interface ReplicaStarter<A, S> {
        /**
         * @param handleId the id of the replicated handle
         * @param replicaId the id of the new replica
         * @throws IllegalStateException if the engine is closed
         */
        ManagedService<A, S> start(A args, String handleId, String replicaId);
    }

    private static final class Replica<S> {
        final ManagedService<?, S> service;
        final AtomicInteger inFlight = new AtomicInteger();
        volatile boolean retired;
        /** Set by whoever replaces this replica once it FAILED (the automatic replacement or a rolling update). */
        final AtomicBoolean replacing = new AtomicBoolean();
        /** FAILED and not replaced: the replacement budget was spent (or replacement is off). */
        volatile Throwable givenUp;

        Replica(ManagedService<?, S> service) {
            this.service = service;
        }
    }

    private enum Moment { CALL_START, CALL_END, TIMER }

    private final String name;
    private final String id;
    private final ReplicaPolicy policy;
    private final ReplicaStarter<A, S> starter;
    private final Backend backend;
    private final Ticker ticker;
    private final Consumer<ServiceEvent> events;
    private final Telemetry telemetry;
    private final Duration stopTimeout;

    private final Object lock = new Object();              // this service's alone; never held around user code
    private volatile List<Replica<S>> active = List.of();    // the replicas taking calls; replaced under lock
    private final List<Replica<S>> all = new CopyOnWriteArrayList<>(); // every replica started, in start order
    private final List<Map.Entry<ServiceListener, Executor>> listeners = new CopyOnWriteArrayList<>();
    private A args;                                          // guarded by lock
    private int replicaSeq;                                  // guarded by lock
    private CompletableFuture<Integer> action;               // guarded by lock: the scale action or rolling update under way
    private boolean rolling;                                 // guarded by lock: action is a rolling update
    private boolean joinable;                                // guarded by lock: action is a rolling restart
    private volatile boolean stopped;                        // written under lock
    private volatile boolean cancelled;
    private CompletableFuture<Void> termination;             // guarded by lock; set by the first stop
    private final List<Future<?>> timers = new CopyOnWriteArrayList<>();

    private final CompletableFuture<S> ready = new CompletableFuture<>();
    private final long startedAt;
    private volatile long runningAt;
    private volatile long stoppedAt;
    private volatile int generation;
    private volatile Throwable failure;
    private final AtomicInteger startFailures = new AtomicInteger();

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger rotation = new AtomicInteger();
    private final AtomicLong upSince = new AtomicLong(-1);
    private final AtomicLong downSince = new AtomicLong(-1);
    private final AtomicBoolean upTimer = new AtomicBoolean();
    private final AtomicBoolean downTimer = new AtomicBoolean();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong failedCalls = new AtomicLong();
    private final AtomicLong refusedCalls = new AtomicLong();
    private final AtomicLong retriedCalls = new AtomicLong();
    private final java.util.ArrayDeque<Long> replacementTimes = new java.util.ArrayDeque<>(); // guarded by lock

    public ReplicatedService(String name, String id, ReplicaPolicy policy, A args, ReplicaStarter<A, S> starter,
                             Backend backend, Ticker ticker, Telemetry telemetry, Consumer<ServiceEvent> events,
                             Duration stopTimeout) {
        this.name = name;
        this.id = id;
        this.policy = policy;
        this.args = args;
        this.starter = starter;
        this.backend = backend;
        this.ticker = ticker;
        this.events = events;
        this.telemetry = telemetry;
        this.stopTimeout = stopTimeout;
        this.startedAt = ticker.read();
    }

    /**
     * Starts the first {@code min} replicas; the engine calls it once, with no lock held.
     *
     * @throws IllegalStateException if the engine closed before the first replica started
     */
    public void start() {
        List<Replica<S>> first = new ArrayList<>();
        for (int i = 0; i < policy.min(); i++) {
            Replica<S> replica;
            try {
                replica = launch(currentArgs());
            } catch (IllegalStateException e) {
                if (first.isEmpty()) {
                    throw e;
                }
                break; // the engine is closing: it stops those already started
            }
            first.add(replica);
        }
        synchronized (lock) {
            active = List.copyOf(first);
        }
        for (Replica<S> replica : first) {
            replica.service.toCompletableFuture().whenComplete((instance, error) -> {
                if (error == null) {
                    becameRunning(instance);
                } else if (startFailures.incrementAndGet() == first.size() && !ready.isDone()) {
                    Throwable cause = Futures.unwrap(error);
                    failure = cause;
                    ready.completeExceptionally(cause);
                }
            });
        }
    }

    private void becameRunning(S instance) {
        boolean first = false;
        if (generation == 0) {
            synchronized (lock) {
                if (generation == 0) {
                    runningAt = ticker.read(); // any reading, 0 included: generation says whether it is set
                    generation = 1;
                    first = true;
                }
            }
        }
        ready.complete(instance);
        if (first) { // the replicas that FAILED their first start before any was RUNNING: replaced now
            for (Replica<S> r : active) {
                if (r.service.state() == ServiceState.FAILED) {
                    failed(r, r.service.failureCause().orElse(null));
                }
            }
        }
    }

    private A currentArgs() {
        synchronized (lock) {
            return args;
        }
    }

    /** Starts one replica through the engine; not yet taking calls. */
    private Replica<S> launch(A startArgs) {
        String replicaId;
        synchronized (lock) {
            if (stopped) {
                throw new IllegalStateException("service '" + id + "' was stopped");
            }
            replicaId = id + "-r" + (++replicaSeq);
        }
        ManagedService<A, S> service = starter.start(startArgs, id, replicaId);
        Replica<S> replica = new Replica<>(service);
        service.terminationFuture().whenComplete((ignored, error) -> {
            if (error != null) {
                failed(replica, Futures.unwrap(error)); // event-driven: the replica's own termination
            }
        });
        boolean stopNow;
        List<Map.Entry<ServiceListener, Executor>> toAdd;
        synchronized (lock) {
            all.add(replica);
            toAdd = List.copyOf(listeners);
            stopNow = stopped;
        }
        toAdd.forEach(l -> service.addListener(l.getKey(), l.getValue())); // each listener once: see addListener
        if (stopNow) {
            service.stopAsync(); // stopped while it was being started
        }
        return replica;
    }

    // ---- replacing a replica that FAILED ----

    /**
     * A replica ended FAILED. One that takes calls and that no one replaces yet is replaced by a
     * fresh replica after the replacement policy's backoff, within its budget (a sliding window on
     * the ticker); past the budget it stays FAILED, gets no calls and is reported. Runs on the thread
     * that failed it (no lock held); only books and schedules.
     */
    private void failed(Replica<S> replica, Throwable cause) {
        dev.flowgentic4j.workflows.RestartPolicy budget = policy.replacement();
        String refusal = null;
        synchronized (lock) {
            if (stopped || replica.retired || generation == 0 || !active.contains(replica)
                    || !replica.replacing.compareAndSet(false, true)) {
                // stopping, taken out of routing on purpose, replaced by someone else, or no replica RUNNING yet
                // (then the first one to be RUNNING replaces those that failed; if none ever is, the handle FAILED)
                return;
            }
            long now = ticker.read();
            while (!replacementTimes.isEmpty() && now - replacementTimes.peekFirst() >= budget.window().toNanos()) {
                replacementTimes.pollFirst();
            }
            if (!budget.restarts()) {
                refusal = "replacement of failed replicas is off (ReplicaPolicy.withReplacement(RestartPolicy.never()))";
            } else if (replacementTimes.size() >= budget.maxRestarts()) {
                refusal = "its replacement budget is spent (" + budget.maxRestarts() + " within " + budget.window() + ")";
            } else {
                replacementTimes.addLast(now);
            }
            if (refusal != null) {
                replica.replacing.set(false); // a rolling restart() may still replace it
                replica.givenUp = new ServiceFailedException(replica.service.id(), "FAILED and not replaced: "
                        + refusal, cause);
            }
        }
        if (refusal != null) {
            log.warn("service '{}': replica '{}' FAILED and is not replaced: {}; cause: {}", id, replica.service.id(),
                    refusal, String.valueOf(cause));
            publish(ServiceEvent.Type.REPLICA_NOT_REPLACED, replica.service.id() + " FAILED and is not replaced: "
                    + refusal);
            return;
        }
        log.info("service '{}': replica '{}' FAILED ({}); replacing it in {}", id, replica.service.id(),
                String.valueOf(cause), budget.backoff());
        // the timer only hands the replacement to the backend: starting a replica tells listeners, user code
        Future<?> timer = Timers.scheduleQuietly(backend, () -> {
            try {
                backend.submit("replace failed replica '" + replica.service.id() + "'", () -> {
                    replaceFailed(replica);
                    return null;
                });
            } catch (RejectedExecutionException e) {
                replica.replacing.set(false); // the backend is shutting down: the engine stops everything
            }
        }, budget.backoff());
        timers.removeIf(Future::isDone);
        timers.add(timer);
        if (stopped) {
            timer.cancel(false); // stopped meanwhile: beginStop may have missed this timer
        }
    }

    /**
     * Starts a fresh replica in the slot of {@code old} (FAILED): it takes the slot at once, so the
     * count stays the same (never below min, never above max) and calls prefer the RUNNING replicas
     * until it is RUNNING; if it fails to start, its own failure books the next replacement.
     */
    private void replaceFailed(Replica<S> old) {
        if (stopped) {
            return;
        }
        Replica<S> fresh;
        try {
            fresh = launch(currentArgs());
        } catch (IllegalStateException e) {
            return; // stopped, or the engine is closing: it stops whatever started
        }
        boolean placed = false;
        synchronized (lock) {
            if (!stopped && !old.retired) {
                List<Replica<S>> next = new ArrayList<>(active);
                int at = next.indexOf(old);
                if (at >= 0) {
                    next.set(at, fresh);
                    active = List.copyOf(next);
                    old.retired = true;
                    placed = true;
                }
            }
        }
        if (!placed) {
            fresh.service.stopAsync(); // the slot went away meanwhile (scaled down, stopped)
            return;
        }
        publish(ServiceEvent.Type.REPLICA_REPLACED, old.service.id() + " -> " + fresh.service.id()
                + " (" + old.service.id() + " FAILED: "
                + old.service.failureCause().map(String::valueOf).orElse("unknown") + ")");
        if (fresh.service.state() == ServiceState.FAILED) { // failed before it took the slot: its own turn now
            failed(fresh, fresh.service.failureCause().orElse(null));
        }
    }

    // ---- calling ----

    private Replica<S> pick() {
        List<Replica<S>> list = active;
        int n = list.size();
        if (n == 0) {
            return null;
        }
        int first = Math.floorMod(rotation.getAndIncrement(), n);
        Replica<S> best = null;
        long bestScore = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            Replica<S> r = list.get((first + i) % n);
            ServiceState state = r.service.state();
            if (r.retired || state == ServiceState.STOPPING || state.isTerminal()) {
                continue;
            }
            long score = r.inFlight.get()
                    + (state == ServiceState.RUNNING && !r.service.isRestarting() ? 0 : NOT_RUNNING_PENALTY);
            if (score < bestScore) {
                best = r;
                bestScore = score;
            }
        }
        return best;
    }

    @Override
    public <R> R call(Duration readyTimeout, ServiceCall<? super S, R> call) {
        Checks.requirePositive(readyTimeout, "timeout");
        Objects.requireNonNull(call, "call");
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        calls.incrementAndGet();
        InstanceDiedException firstDeath = null; // an idempotent call whose replica died under it is retried once
        while (true) {
            Replica<S> r = pick();
            if (r == null) {
                failedCalls.incrementAndGet();
                refusedCalls.incrementAndGet();
                throw new ServiceUnavailableException(id, state(),
                        stopped ? "the service was stopped" : "no replica is running", failure);
            }
            r.inFlight.incrementAndGet();
            inFlight.incrementAndGet();
            if (r.retired) {            // retired between the pick and the count: it will not see this call
                release(r, false);
                continue;
            }
            evaluate(Moment.CALL_START);
            boolean retry = false;
            RoutedCall<S, R> routed = new RoutedCall<>(call, firstDeath);
            try {
                long remaining = Math.max(1, deadline - System.nanoTime());
                return r.service.call(Duration.ofNanos(remaining), routed);
            } catch (InstanceDiedException e) {
                if (!routed.retryRequested()) {
                    failedCalls.incrementAndGet();
                    throw e;
                }
                if (System.nanoTime() >= deadline || stopped) {
                    failedCalls.incrementAndGet();
                    throw notRetried(e);
                }
                firstDeath = e; // the dead replica is restarting: the pick prefers a live one
                retriedCalls.incrementAndGet();
                retry = true;
            } catch (ServiceUnavailableException e) {
                if (refusedByLeavingReplica(e, r) && System.nanoTime() < deadline && !stopped) {
                    retry = true; // it never reached an instance
                } else {
                    failedCalls.incrementAndGet();
                    refusedCalls.incrementAndGet();
                    throw e;
                }
            } catch (dev.flowgentic4j.workflows.ServiceBusyException e) {
                failedCalls.incrementAndGet();
                refusedCalls.incrementAndGet();
                throw e;
            } catch (RuntimeException | Error e) {
                failedCalls.incrementAndGet();
                throw e;
            } finally {
                release(r, true);
            }
            assert retry;
        }
    }

    /**
     * Routed as {@link #call}, then the chosen replica's own {@code callAsync}: no thread waits for
     * a slot under its limit. A call refused by a replica that left routing goes to another one.
     */
    @Override
    public <R> CompletableFuture<R> callAsync(Duration readyTimeout, ServiceCall<? super S, R> call) {
        Checks.requirePositive(readyTimeout, "timeout");
        Objects.requireNonNull(call, "call");
        calls.incrementAndGet();
        CompletableFuture<R> result = new CompletableFuture<>();
        routeAsync(System.nanoTime() + readyTimeout.toNanos(), call, result, null);
        return result;
    }

    /** An idempotent call's first death that could not be retried (stopped, or out of time). */
    private InstanceDiedException notRetried(InstanceDiedException e) {
        return new InstanceDiedException(e.serviceId(), e.generation(), e.causeOfDeath(), "the call is idempotent, but"
                + " the service was stopped or the call's timeout passed before it could be retried", e.getCause());
    }

    private <R> void routeAsync(long deadline, ServiceCall<? super S, R> call, CompletableFuture<R> result,
                                InstanceDiedException firstDeath) {
        while (true) {
            Replica<S> r = pick();
            if (r == null) {
                failedCalls.incrementAndGet();
                refusedCalls.incrementAndGet();
                result.completeExceptionally(new ServiceUnavailableException(id, state(),
                        stopped ? "the service was stopped" : "no replica is running", failure));
                return;
            }
            r.inFlight.incrementAndGet();
            inFlight.incrementAndGet();
            if (r.retired) {
                release(r, false);
                continue;
            }
            evaluate(Moment.CALL_START);
            CompletableFuture<R> attempt;
            RoutedCall<S, R> routed = new RoutedCall<>(call, firstDeath);
            try {
                attempt = r.service.callAsync(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), routed);
            } catch (RuntimeException | Error e) {
                release(r, true);
                failedCalls.incrementAndGet();
                result.completeExceptionally(e);
                return;
            }
            attempt.whenComplete((value, error) -> {
                release(r, true);
                if (error == null) {
                    result.complete(value);
                    return;
                }
                Throwable cause = Futures.unwrap(error);
                if (cause instanceof ServiceUnavailableException e && refusedByLeavingReplica(e, r)
                        && System.nanoTime() < deadline && !stopped) {
                    routeAsync(deadline, call, result, firstDeath); // it never reached an instance
                    return;
                }
                if (cause instanceof InstanceDiedException e && routed.retryRequested()) {
                    if (System.nanoTime() < deadline && !stopped) {
                        retriedCalls.incrementAndGet();
                        routeAsync(deadline, call, result, e); // once, preferring a live replica
                        return;
                    }
                    cause = notRetried(e);
                }
                failedCalls.incrementAndGet();
                if (cause instanceof ServiceUnavailableException
                        || cause instanceof dev.flowgentic4j.workflows.ServiceBusyException) {
                    refusedCalls.incrementAndGet();
                }
                result.completeExceptionally(cause);
            });
            return;
        }
    }

    private boolean refusedByLeavingReplica(ServiceUnavailableException e, Replica<S> r) {
        return r.service.id().equals(e.serviceId()) && (r.retired || r.service.state() != ServiceState.RUNNING);
    }

    private void release(Replica<S> r, boolean evaluate) {
        r.inFlight.decrementAndGet();
        inFlight.decrementAndGet();
        if (evaluate) {
            evaluate(Moment.CALL_END);
        }
    }

    // ---- autoscaling ----

    /**
     * Load above what the current replicas serve at the target opens the scale-up window (seen at a
     * call's start, when the count peaks; closed by a start that sees no excess); load below opens
     * the scale-down window (seen at a call's end; closed by any call that sees no deficit). A window
     * open for its whole delay, read on the ticker, triggers a scale action to the desired count.
     */
    private void evaluate(Moment moment) {
        if (!policy.autoscales() || stopped) {
            return;
        }
        int current = active.size();
        int desired = policy.desiredReplicas(inFlight.get());
        long now = ticker.read();
        if (desired > current) {
            window(upSince, upTimer, policy.upscaleDelay(), now);
        } else if (moment == Moment.CALL_START) {
            upSince.set(-1);
        }
        if (desired < current) {
            if (moment != Moment.CALL_START) {
                window(downSince, downTimer, policy.downscaleDelay(), now);
            }
        } else if (moment != Moment.TIMER) {
            downSince.set(-1);
        }
    }

    private void window(AtomicLong since, AtomicBoolean timerPending, Duration delay, long now) {
        long opened = since.get();
        if (opened == -1) {
            if (since.compareAndSet(-1, now)) {
                if (delay.isZero()) {
                    triggerScaling();
                } else {
                    arm(since, timerPending, delay, delay);
                }
            }
        } else if (now - opened >= delay.toNanos()) {
            triggerScaling();
        }
    }

    /**
     * At most one timer per direction: at the end of the open window, it evaluates; if the window
     * reopened later (or the ticker has not got there yet), it waits once more for what is left.
     */
    private void arm(AtomicLong since, AtomicBoolean timerPending, Duration delay, Duration wait) {
        if (stopped || !timerPending.compareAndSet(false, true)) {
            return;
        }
        Future<?> timer = Timers.scheduleQuietly(backend, () -> {
            timerPending.set(false);
            long opened = since.get();
            if (stopped || opened == -1) {
                return; // the window closed: the next one arms its own timer
            }
            long left = delay.toNanos() - (ticker.read() - opened);
            if (left > 0) {
                arm(since, timerPending, delay, Duration.ofNanos(left));
            } else {
                evaluate(Moment.TIMER);
            }
        }, wait);
        timers.removeIf(Future::isDone);
        timers.add(timer);
    }

    private void triggerScaling() {
        int from;
        int to;
        CompletableFuture<Integer> mine = new CompletableFuture<>();
        synchronized (lock) {
            if (stopped || action != null) {
                return;
            }
            from = active.size();
            to = policy.desiredReplicas(inFlight.get());
            if (to == from) {
                return;
            }
            action = mine;
            rolling = false;
            joinable = false;
            upSince.set(-1);
            downSince.set(-1);
        }
        int load = inFlight.get();
        try {
            backend.submit("scale service '" + id + "' " + from + " -> " + to, () -> {
                scale(from, to, load, mine);
                return null;
            });
        } catch (RejectedExecutionException e) {
            endAction(mine, null, new CancellationException("the backend is shutting down"));
        }
    }

    private void scale(int from, int to, int load, CompletableFuture<Integer> mine) {
        String detail = from + " -> " + to + " replicas (" + load + " calls in flight, target "
                + policy.targetInFlight() + " per replica)";
        if (to > from) {
            List<CompletableFuture<?>> starts = new ArrayList<>();
            for (int i = from; i < to; i++) {
                Replica<S> fresh;
                try {
                    fresh = launch(currentArgs());
                } catch (IllegalStateException e) {
                    break; // stopped or the engine closed: whatever started is stopped by it
                }
                starts.add(fresh.service.toCompletableFuture().handle((instance, error) -> {
                    if (error == null) {
                        join(fresh);
                    } else {
                        log.warn("service '{}': a new replica failed to start: {}", id, Futures.unwrap(error).toString());
                        fresh.service.stopAsync();
                    }
                    return null;
                }));
            }
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
                publish(ServiceEvent.Type.SCALED_UP, from + " -> " + active.size() + " replicas (" + load
                        + " calls in flight, target " + policy.targetInFlight() + " per replica)");
                endAction(mine, active.size(), null);
            });
        } else {
            List<Replica<S>> leaving;
            synchronized (lock) {
                if (stopped) {
                    leaving = List.of();
                } else {
                    List<Replica<S>> sorted = new ArrayList<>(active);
                    sorted.sort(Comparator.comparingInt(r -> r.inFlight.get()));
                    leaving = List.copyOf(sorted.subList(0, Math.max(0, active.size() - to)));
                    List<Replica<S>> staying = new ArrayList<>(active);
                    staying.removeAll(leaving);
                    active = List.copyOf(staying);
                    leaving.forEach(r -> r.retired = true);
                }
            }
            if (!leaving.isEmpty()) {
                publish(ServiceEvent.Type.SCALED_DOWN, detail);
            }
            List<CompletableFuture<Void>> stops = new ArrayList<>();
            leaving.forEach(r -> stops.add(r.service.stopAsync()));   // each stop waits for the calls in it
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
                    .whenComplete((v, e) -> endAction(mine, active.size(), null));
        }
    }

    /** Adds a RUNNING replica to the ones taking calls, unless the service was stopped meanwhile. */
    private void join(Replica<S> fresh) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            List<Replica<S>> grown = new ArrayList<>(active);
            grown.add(fresh);
            active = List.copyOf(grown);
        }
    }

    private void endAction(CompletableFuture<Integer> mine, Integer result, Throwable error) {
        synchronized (lock) {
            if (action == mine) {
                action = null;
                rolling = false;
                joinable = false;
            }
            upSince.set(-1);  // the delays count again from the end of this action
            downSince.set(-1);
        }
        if (error == null) {
            mine.complete(result);
        } else {
            mine.completeExceptionally(error);
        }
    }

    private void publish(ServiceEvent.Type type, String detail) {
        log.info("service '{}': {} {}", id, type, detail);
        try {
            events.accept(new ServiceEvent(type, name, id, generation, ticker.read(), Instant.now(), null, detail));
        } catch (RuntimeException e) {
            log.warn("service '{}': publishing {} failed", id, type, e);
        }
    }

    // ---- rolling update ----

    /**
     * A rolling update with the same start arguments, one replica at a time: a live replica is
     * replaced blue/green by its own {@link ServiceFuture#restart()} (the next generation beside it,
     * calls switched, the old one drained then stopped); a replica that has no live instance (FAILED)
     * is replaced by a new replica started beside the others, which takes its slot once RUNNING.
     * Completes with the new generation of this handle; a restart during a rolling restart joins it.
     */
    @Override
    public CompletableFuture<Integer> restart() {
        return roll(null, false);
    }

    /** {@link #restart()} with new start arguments, which later replicas keep. */
    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<Integer> update(Object newArgs) {
        return roll((A) newArgs, true);
    }

    private CompletableFuture<Integer> roll(A newArgs, boolean update) {
        CompletableFuture<Integer> mine = new CompletableFuture<>();
        List<Replica<S>> targets;
        synchronized (lock) {
            if (stopped) {
                return Futures.cancelled("service '" + id + "' was stopped");
            }
            if (action != null) {
                if (joinable && !update) {
                    return Futures.copyOf(action);
                }
                return CompletableFuture.failedFuture(new IllegalStateException("service '" + id
                        + "': a scale action or rolling update is under way; try again when it is over"));
            }
            if (active.isEmpty()) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        "service '" + id + "' has no replica to replace"));
            }
            if (update) {
                args = newArgs;
            }
            action = mine;
            rolling = true;
            joinable = !update;
            targets = List.copyOf(active);
        }
        try {
            backend.submit("rolling update of service '" + id + "'", () -> {
                replaceNext(targets, 0, update, mine);
                return null;
            });
        } catch (RejectedExecutionException e) {
            endAction(mine, null, new CancellationException("the backend is shutting down"));
        }
        return Futures.copyOf(mine);
    }

    private void replaceNext(List<Replica<S>> targets, int index, boolean update, CompletableFuture<Integer> mine) {
        if (stopped) {
            endAction(mine, null, new CancellationException("service '" + id + "' was stopped during a rolling update"));
            return;
        }
        if (index == targets.size()) {
            int next;
            synchronized (lock) {
                next = ++generation;
            }
            endAction(mine, next, null);
            return;
        }
        Replica<S> old = targets.get(index);
        if (old.service.isRunning()) {
            CompletableFuture<Integer> replaced = update ? old.service.update(currentArgs()) : old.service.restart();
            replaced.whenComplete((generationOfReplica, error) -> {
                if (error == null) {
                    publish(ServiceEvent.Type.REPLICA_REPLACED, old.service.id() + " generation " + generationOfReplica);
                    replaceNext(targets, index + 1, update, mine);
                } else {
                    Throwable cause = Futures.unwrap(error);
                    endAction(mine, null, cause instanceof CancellationException || stopped
                            ? new CancellationException("service '" + id + "' was stopped during a rolling update")
                            : new ServiceFailedException(id, "rolling update stopped at replica '" + old.service.id()
                                    + "'; the replicas go on serving", cause));
                }
            });
            return;
        }
        if (old.retired || !old.replacing.compareAndSet(false, true)) {
            replaceNext(targets, index + 1, update, mine); // being replaced already: it failed
            return;
        }
        old.givenUp = null;
        Replica<S> fresh;
        try {
            fresh = launch(currentArgs());
        } catch (IllegalStateException e) {
            endAction(mine, null, new CancellationException("service '" + id + "' was stopped during a rolling update"));
            return;
        }
        fresh.service.toCompletableFuture().whenComplete((instance, error) -> {
            if (error != null) {
                fresh.service.stopAsync();
                old.replacing.set(false); // still FAILED in its slot: the next restart() may try again
                Throwable cause = Futures.unwrap(error);
                endAction(mine, null, cause instanceof CancellationException ? cause
                        : new ServiceFailedException(id, "rolling update stopped: replica '" + fresh.service.id()
                                + "' failed to start; the others go on serving", cause));
                return;
            }
            boolean switched = false;
            synchronized (lock) {
                if (!stopped) {
                    List<Replica<S>> next = new ArrayList<>(active);
                    int at = next.indexOf(old);
                    if (at >= 0) {
                        next.set(at, fresh);
                    } else {
                        next.add(fresh);
                    }
                    active = List.copyOf(next);
                    old.retired = true;
                    switched = true;
                }
            }
            if (!switched) {
                endAction(mine, null, new CancellationException("service '" + id + "' was stopped during a rolling update"));
                return;
            }
            publish(ServiceEvent.Type.REPLICA_REPLACED, old.service.id() + " -> " + fresh.service.id());
            old.service.stopAsync().whenComplete((v, e) -> replaceNext(targets, index + 1, update, mine));
        });
    }

    // ---- stopping ----

    @Override
    public CompletableFuture<Void> stopAsync() {
        return Futures.copyOf(beginStop());
    }

    private CompletableFuture<Void> beginStop() {
        List<Replica<S>> toStop;
        CompletableFuture<Void> done;
        CompletableFuture<Integer> pending;
        synchronized (lock) {
            if (termination != null) {
                return termination;
            }
            stoppedAt = ticker.read(); // before the flag: whoever sees the flag sees the reading
            stopped = true;
            toStop = List.copyOf(all);
            pending = action;
            termination = done = new CompletableFuture<>();
        }
        timers.forEach(t -> t.cancel(false));
        ready.completeExceptionally(new CancellationException("service '" + id + "' was stopped"));
        if (pending != null) {
            pending.completeExceptionally(new CancellationException("service '" + id + "' was stopped"));
        }
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (Replica<S> r : toStop) {
            stops.add(r.service.stopAsync()); // in parallel: each within its own stop timeout
        }
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).whenComplete((v, error) -> {
            if (error == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(Futures.unwrap(error));
            }
        });
        return done;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean wasLive;
        synchronized (lock) {
            wasLive = termination == null && state() != ServiceState.FAILED;
            if (wasLive) {
                cancelled = true;
            }
        }
        CompletableFuture<Void> done = beginStop();
        try {
            done.get(stopTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("service '{}': stopping its replicas: {}", id, Futures.unwrap(e).toString());
        }
        return wasLive;
    }

    /** Completes when every replica reached a terminal state after a stop. */
    public CompletableFuture<Void> terminationFuture() {
        synchronized (lock) {
            return termination == null ? new CompletableFuture<>() : Futures.copyOf(termination);
        }
    }

    public Duration stopTimeout() {
        return stopTimeout;
    }

    // ---- awaiting ----

    private S live() {
        Replica<S> r = pick();
        if (r == null) {
            if (stopped) {
                throw new CancellationException("service '" + id + "' was stopped");
            }
            throw new ServiceUnavailableException(id, state(), "no replica is running", failure);
        }
        return r.service.join();
    }

    private S awaited(Throwable error) {
        Throwable cause = Futures.unwrap(error);
        if (cause instanceof CancellationException c) {
            throw c;
        }
        if (stopped) {
            throw new CancellationException("service '" + id + "' was stopped");
        }
        throw cause instanceof ServiceFailedException f ? f : new ServiceFailedException(id, "failed to start", cause);
    }

    @Override
    public S join() {
        try {
            ready.join();
        } catch (CompletionException | CancellationException e) {
            return awaited(e);
        }
        return live();
    }

    @Override
    public S awaitRunning(Duration timeout) throws TimeoutException {
        Checks.requirePositive(timeout, "timeout");
        try {
            ready.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("service '" + id + "' not RUNNING after " + timeout + " (state " + state() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceUnavailableException(id, state(), "interrupted while waiting", e);
        } catch (ExecutionException | CancellationException e) {
            return awaited(e);
        }
        return live();
    }

    @Override
    public S get() throws InterruptedException, ExecutionException {
        try {
            ready.get();
        } catch (ExecutionException e) {
            if (Futures.unwrap(e) instanceof CancellationException c) {
                throw c;
            }
            throw e;
        }
        return live();
    }

    @Override
    public S get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        try {
            ready.get(timeout, unit);
        } catch (ExecutionException e) {
            if (Futures.unwrap(e) instanceof CancellationException c) {
                throw c;
            }
            throw e;
        }
        return live();
    }

    @Override
    public CompletableFuture<S> toCompletableFuture() {
        if (stopped) {
            return Futures.cancelled("service '" + id + "' was " + (cancelled ? "cancelled" : "stopped"));
        }
        return Futures.copyOf(ready);
    }

    // ---- reporting ----

    @Override
    public String name() {
        return name;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public ServiceState state() {
        CompletableFuture<Void> done;
        synchronized (lock) {
            done = termination;
        }
        if (done != null) {
            if (!done.isDone()) {
                return ServiceState.STOPPING;
            }
            return done.isCompletedExceptionally() ? ServiceState.FAILED : ServiceState.TERMINATED;
        }
        boolean starting = false;
        for (Replica<S> r : active) {
            ServiceState s = r.service.state();
            if (s == ServiceState.RUNNING) {
                return ServiceState.RUNNING;
            }
            starting |= !s.isTerminal() || r.replacing.get(); // FAILED, with a replacement booked
        }
        if (starting) {
            return generation == 0 ? ServiceState.STARTING : ServiceState.RUNNING;
        }
        return active.isEmpty() && failure == null ? ServiceState.STARTING : ServiceState.FAILED;
    }

    /** Whether a rolling update is replacing replicas right now. */
    @Override
    public boolean isRestarting() {
        synchronized (lock) {
            return action != null && rolling;
        }
    }

    @Override
    public Optional<Throwable> failureCause() {
        if (state() != ServiceState.FAILED) {
            return Optional.empty();
        }
        if (failure != null) {
            return Optional.of(failure);
        }
        for (Replica<S> r : all) {
            Optional<Throwable> cause = r.service.failureCause();
            if (cause.isPresent()) {
                return cause;
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<Duration> startupDuration() {
        return generation == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(runningAt - startedAt));
    }

    @Override
    public Duration uptime() {
        if (generation == 0) {
            return Duration.ZERO;
        }
        long end = stopped ? stoppedAt : ticker.read();
        return Duration.ofNanos(Math.max(0, end - runningAt));
    }

    @Override
    public Telemetry telemetry() {
        return telemetry;
    }

    /** 1 once a replica is RUNNING, one more after each completed rolling update. */
    @Override
    public int generation() {
        return generation;
    }

    /** The worst verdict among the replicas taking calls (UNHEALTHY before HEALTHY before UNKNOWN). */
    @Override
    public HealthStatus health() {
        HealthStatus best = HealthStatus.UNKNOWN;
        for (Replica<S> r : active) {
            Throwable givenUp = r.givenUp;
            if (givenUp != null && r.service.state() == ServiceState.FAILED) { // degraded: one slot is lost
                return new HealthStatus(HealthStatus.State.UNHEALTHY, 1, givenUp, Instant.now(), Instant.now());
            }
        }
        for (Replica<S> r : active) {
            HealthStatus h = r.service.health();
            if (h.state() == HealthStatus.State.UNHEALTHY) {
                return h;
            }
            if (h.state() == HealthStatus.State.HEALTHY) {
                best = h;
            }
        }
        return best;
    }

    @Override
    public int inFlightCalls() {
        return inFlight.get();
    }

    @Override
    public long callCount() {
        return calls.get();
    }

    @Override
    public long failedCallCount() {
        return failedCalls.get();
    }

    @Override
    public long refusedCallCount() {
        return refusedCalls.get();
    }

    /** Idempotent calls retried on another replica after the one they were on died (each counted once in callCount). */
    @Override
    public long retriedCallCount() {
        return retriedCalls.get();
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public boolean isDone() {
        return state().compareTo(ServiceState.RUNNING) >= 0;
    }

    /** Adds {@code listener} to every replica, those started from now on included; it hears each replica's own transitions. */
    @Override
    public void addListener(ServiceListener listener, Executor executor) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(executor, "executor");
        List<Replica<S>> existing;
        synchronized (lock) {
            listeners.add(Map.entry(listener, executor));
            existing = List.copyOf(all);
        }
        for (Replica<S> r : existing) {
            r.service.addListener(listener, executor);
        }
    }

    @Override
    public List<ServiceFuture<S>> replicas() {
        List<ServiceFuture<S>> list = new ArrayList<>();
        active.forEach(r -> list.add(r.service));
        return List.copyOf(list);
    }

    /** Calls in flight on each replica taking calls, in slot order (as counted by the router). */
    public List<Integer> inFlightByReplica() {
        List<Integer> list = new ArrayList<>();
        active.forEach(r -> list.add(r.inFlight.get()));
        return List.copyOf(list);
    }

    @Override
    public String toString() {
        return "ServiceFuture[" + id + ", " + state() + ", " + active.size() + " replicas]";
    }
}
