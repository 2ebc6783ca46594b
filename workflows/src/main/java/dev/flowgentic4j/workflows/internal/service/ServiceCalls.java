package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.CallAbandonedException;
import dev.flowgentic4j.workflows.CallContext;
import dev.flowgentic4j.workflows.InstanceDiedException;
import dev.flowgentic4j.workflows.ServiceBusyException;
import dev.flowgentic4j.workflows.ServiceCall;
import dev.flowgentic4j.workflows.ServiceCallException;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceUnavailableException;
import dev.flowgentic4j.workflows.spi.Checks;
import dev.flowgentic4j.workflows.spi.Futures;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The caller's side of one service handle: waiting for a live instance ({@code join}, {@code get},
 * {@code awaitRunning}) and calling into it through the {@link CallGate}, with the call counters.
 * Reads the lifecycle's snapshot and takes no lock: calls on two services never contend. Thread-safe.
 *
 * <p>A call enters the gate and only then re-reads the snapshot; a stop or restart publishes its
 * snapshot and only then waits for the gate to drain. So either the call sees the change and
 * leaves, or the stop waits for the call. A call also counts itself on its generation
 * ({@link InFlight}) and re-reads once more: a blue/green switch publishes the next generation and
 * only then waits for the calls counted on the replaced one.
 *
 * <p>A call that throws on a generation that died while it was on it (or whose exception the
 * definition's {@code deadOn} matches, which tells the death) fails with
 * {@link InstanceDiedException}, or, if idempotent, runs once more on the next generation (waiting
 * for it within the call's own timeout). It is counted once in the call counts either way.
 */
final class ServiceCalls<S> {
    private final String id;
    private final ServiceLifecycle<S> lifecycle;
    private final CallGate gate;
    private final LongAdder calls = new LongAdder();
    private final LongAdder failedCalls = new LongAdder();
    private final LongAdder refusedCalls = new LongAdder();
    private final LongAdder retriedCalls = new LongAdder();
    private final String replicaOf;                     // the replicated handle's id, or null
    private volatile CallContext context;               // of the last generation that served a call
    private final Predicate<? super Throwable> deadOn;
    private final boolean idempotentCalls;
    private final BiConsumer<InFlight, Throwable> died;

    /** @param replicaOf the id of the replicated handle this instance is a replica of, or null */
    ServiceCalls(String id, String replicaOf, ServiceLifecycle<S> lifecycle, CallGate gate) {
        this(id, replicaOf, lifecycle, gate, null, false, (generation, cause) -> { });
    }

    /**
     * @param replicaOf the id of the replicated handle this instance is a replica of, or null
     * @param deadOn which call failures mean the instance died, or null
     * @param idempotentCalls whether every call may run twice
     * @param died told that a generation died (a call failed with an exception {@code deadOn} matches)
     */
    ServiceCalls(String id, String replicaOf, ServiceLifecycle<S> lifecycle, CallGate gate,
                 Predicate<? super Throwable> deadOn, boolean idempotentCalls, BiConsumer<InFlight, Throwable> died) {
        this.id = id;
        this.replicaOf = replicaOf;
        this.lifecycle = lifecycle;
        this.gate = gate;
        this.deadOn = deadOn;
        this.idempotentCalls = idempotentCalls;
        this.died = died;
    }

    /** The {@link CallContext} of a call served by {@code generation} (one object per generation). */
    private CallContext context(int generation) {
        CallContext c = context;
        if (c == null || c.generation() != generation) {
            c = replicaOf == null ? new CallContext(id, null, generation) : new CallContext(replicaOf, id, generation);
            context = c;
        }
        return c;
    }

    /** The live instance, waiting for it up to {@code timeoutNanos} (forever if negative). */
    private S await(long timeoutNanos) throws TimeoutException {
        ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
        if (s.live()) {
            return s.instance();
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            s = lifecycle.snapshot();
            if (s.live()) {
                return s.instance();
            }
            if (s.stopRequested() || s.state() == ServiceState.STOPPING || s.state() == ServiceState.TERMINATED) {
                throw new CancellationException("service '" + id + "' was "
                        + (s.cancelled() ? "cancelled" : "stopped") + " (state " + s.state() + ")");
            }
            if (s.state() == ServiceState.FAILED) {
                throw (ServiceFailedException) s.failure();
            }
            CompletableFuture<S> next = s.ready();
            try {
                if (timeoutNanos < 0) {
                    next.get();
                } else {
                    next.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ServiceUnavailableException(id, lifecycle.snapshot().state(), "interrupted while waiting", e);
            } catch (TimeoutException e) {
                throw new TimeoutException("service '" + id + "' is " + describe(lifecycle.snapshot()) + " after waiting "
                        + Duration.ofNanos(timeoutNanos) + ", expected RUNNING");
            } catch (ExecutionException | CancellationException e) {
                // the snapshot tells what happened: loop
            }
        }
    }

    private static String describe(ServiceLifecycle.Snapshot<?> s) {
        return s.restarting() ? s.state() + " (restarting)" : s.state().toString();
    }

    /** {@link ManagedService#join()}. */
    S join() {
        try {
            return await(-1);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e); // cannot happen without a timeout
        }
    }

    /** {@link ManagedService#awaitRunning(Duration)}. */
    S awaitRunning(Duration timeout) throws TimeoutException {
        return await(Checks.requirePositive(timeout, "timeout").toNanos());
    }

    /** {@link ManagedService#get()}. */
    S get() throws InterruptedException, ExecutionException {
        try {
            return getChecked(-1);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e); // cannot happen without a timeout
        }
    }

    /** {@link ManagedService#get(long, TimeUnit)}. */
    S get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        if (timeout <= 0) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout + " " + unit);
        }
        return getChecked(unit.toNanos(timeout));
    }

    /** {@link #await} with {@link java.util.concurrent.Future}'s checked exceptions. */
    private S getChecked(long timeoutNanos) throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return await(timeoutNanos);
        } catch (ServiceFailedException e) {
            throw new ExecutionException(e.getMessage(), e);
        } catch (ServiceUnavailableException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException(e.getMessage());
            }
            throw e;
        }
    }

    /** {@link ManagedService#call(Duration, ServiceCall)}. */
    <R> R call(Duration readyTimeout, ServiceCall<? super S, R> call) {
        Checks.requirePositive(readyTimeout, "timeout");
        Objects.requireNonNull(call, "call");
        try {
            gate.acquireSlot();
        } catch (ServiceBusyException | ServiceUnavailableException e) {
            throw refused(e);
        }
        return callHoldingSlot(readyTimeout, call);
    }

    /** Counts a call refused before it reached the instance (busy or unavailable) and returns {@code e}. */
    private <E extends RuntimeException> E refused(E e) {
        calls.increment();
        failedCalls.increment();
        refusedCalls.increment();
        return e;
    }

    /**
     * {@link ManagedService#callAsync}: with a free slot the call runs on the calling thread and the
     * future is complete on return; otherwise the wait for a slot blocks no thread, and the call
     * runs on {@code executor} once a slot is handed over.
     */
    <R> CompletableFuture<R> callAsync(Duration readyTimeout, ServiceCall<? super S, R> call, Executor executor) {
        Checks.requirePositive(readyTimeout, "timeout");
        Objects.requireNonNull(call, "call");
        CompletableFuture<Void> slot = gate.acquireSlotAsync();
        if (slot == CallGate.ACQUIRED) {
            try {
                return CompletableFuture.completedFuture(callHoldingSlot(readyTimeout, call));
            } catch (RuntimeException | Error e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        CompletableFuture<R> result = new CompletableFuture<>();
        slot.whenComplete((ignored, refusal) -> {
            if (refusal != null) {
                Throwable cause = Futures.unwrap(refusal);
                result.completeExceptionally(cause instanceof RuntimeException r ? refused(r) : cause);
                return;
            }
            try {
                executor.execute(() -> {
                    try {
                        result.complete(callHoldingSlot(readyTimeout, call));
                    } catch (Throwable e) {
                        result.completeExceptionally(e);
                    }
                });
            } catch (RuntimeException e) {   // the backend refused the call (closed or full): give the slot back
                gate.releaseSlot();
                RuntimeException closed = gate.closedException();
                result.completeExceptionally(refused(closed != null ? closed
                        : new ServiceUnavailableException(id, lifecycle.snapshot().state(),
                                "the backend refused to run the call: " + e.getMessage(), e)));
            }
        });
        return result;
    }

    /** Runs {@code call} on the live instance; the caller holds a slot, released here. */
    private <R> R callHoldingSlot(Duration readyTimeout, ServiceCall<? super S, R> call) {
        try {
            RoutedCall<?, ?> routed = call instanceof RoutedCall<?, ?> r ? r : null;
            InstanceDiedException firstDeath = routed == null ? null : routed.firstDeath();
            boolean counted = false;
            while (true) {
                long deadline = 0;
                boolean waited = false;
                S live;
                int[] token;
                InFlight generation;
                int served;
                while (true) {
                    ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
                    if (s.live()) {
                        live = s.instance();
                    } else {
                        if (!waited) {
                            deadline = System.nanoTime() + readyTimeout.toNanos();
                            waited = true;
                        }
                        try {
                            live = awaitForCall(deadline, readyTimeout);
                        } catch (ServiceUnavailableException e) {
                            if (!counted) { // the first try here (a router's retry is one for this replica)
                                throw refused(e);
                            }
                            failedCalls.increment(); // counted once, when it first ran
                            InstanceDiedException failure = diedException(firstDeath.generation(),
                                    firstDeath.causeOfDeath(), "the call is idempotent, but it could not be retried"
                                    + " within its timeout of " + readyTimeout + ": "
                                    + InstanceDiedException.bound(e.getMessage()), firstDeath.getCause());
                            failure.addSuppressed(e);
                            throw failure;
                        }
                    }
                    token = gate.enter();
                    ServiceLifecycle.Snapshot<S> now = lifecycle.snapshot();
                    if (now.live() && now.instance() == live) {
                        generation = now.inFlight();
                        served = now.generation();
                        generation.enter();
                        ServiceLifecycle.Snapshot<S> after = lifecycle.snapshot();
                        if (after.live() && after.inFlight() == generation) {
                            break; // a stop, restart, switch or death that begins now sees this call
                        }
                        generation.exit(); // replaced or dead meanwhile: go to the next generation
                    }
                    gate.exit(token);
                }
                if (!counted) {
                    calls.increment();
                    counted = true;
                }
                Throwable death = null;
                Exception thrown = null;
                CallAbandonedException abandonedOnReturn = null;
                CallContext outer = CurrentCall.enter(context(served)); // what instrumentation reads in the call
                try {
                    R result = call.apply(live);
                    generation.outcome(true);
                    abandonedOnReturn = generation.abandoned(id, null);
                    if (abandonedOnReturn == null) {
                        return result;
                    }
                } catch (Error e) {
                    generation.outcome(false);
                    failedCalls.increment();
                    CallAbandonedException abandoned = generation.abandoned(id, e);
                    if (abandoned != null) {
                        throw abandoned;
                    }
                    throw e;
                } catch (Exception e) {
                    generation.outcome(false);
                    CallAbandonedException abandoned = generation.abandoned(id, e);
                    if (abandoned != null) {
                        failedCalls.increment();
                        throw abandoned;
                    }
                    thrown = e;
                    death = deathOf(generation, e);
                    if (death == null) {
                        failedCalls.increment();
                        throw e instanceof RuntimeException r ? r : new ServiceCallException(id, e);
                    }
                } finally {
                    CurrentCall.exit(outer);
                    generation.exit();
                    gate.exit(token);
                }
                if (abandonedOnReturn != null) {
                    failedCalls.increment();
                    throw abandonedOnReturn; // its generation was stopped under it at the drain deadline
                }
                // in flight on a generation that died: fails, or runs once more on the next one
                String cause = InstanceDiedException.bound(String.valueOf(death));
                if (firstDeath != null) {
                    failedCalls.increment();
                    InstanceDiedException failure = diedException(served, cause,
                            "the call is idempotent and was already retried once (after generation "
                                    + firstDeath.generation() + " died); not retried again", thrown);
                    failure.addSuppressed(firstDeath);
                    throw failure;
                }
                boolean idempotent = idempotentCalls || call instanceof ServiceCall.Idempotent<?, ?>
                        || routed != null && routed.call() instanceof ServiceCall.Idempotent<?, ?>;
                if (!idempotent) {
                    failedCalls.increment();
                    throw diedException(served, cause, "the call was not retried because it is"
                            + " not declared idempotent (declare ServiceDefinition.Builder.idempotentCalls(), or"
                            + " wrap the call in ServiceCall.idempotent(...), if it is safe to run twice)", thrown);
                }
                firstDeath = diedException(served, cause, routed != null
                        ? "the call is idempotent: it is retried once on another replica"
                        : "the call is idempotent: it is retried once on the next generation", thrown);
                if (routed != null) {
                    failedCalls.increment(); // on this replica; the replicated service retries it and counts it once
                    routed.retryElsewhere();
                    throw firstDeath;
                }
                retriedCalls.increment();
            }
        } finally {
            gate.releaseSlot();
        }
    }

    /**
     * Why {@code generation} died, if the call that threw {@code e} on it was in flight at its death:
     * it died while the call ran, or {@code e} itself tells the death ({@code deadOn}), which is then
     * recorded. Null if neither (or if we were stopping that generation ourselves).
     */
    private Throwable deathOf(InFlight generation, Exception e) {
        Throwable death = generation.deathCause();
        if (death == null && deadOn != null && matches(e)) {
            died.accept(generation, e);
            death = generation.deathCause();
        }
        return death;
    }

    /** Whether {@code e} or one of its causes (8 deep at most) is a death by {@code deadOn}. */
    private boolean matches(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 8; t = t.getCause(), depth++) {
            try {
                if (deadOn.test(t)) {
                    return true;
                }
            } catch (RuntimeException predicateFailed) {
                return false; // a predicate that throws says nothing
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private InstanceDiedException diedException(int generation, String cause, String detail, Throwable thrown) {
        return new InstanceDiedException(id, generation, cause, detail, thrown);
    }

    private S awaitForCall(long deadline, Duration readyTimeout) {
        try {
            return await(Math.max(1, deadline - System.nanoTime()));
        } catch (TimeoutException e) {
            ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
            if (s.restarting()) {
                Throwable death = s.inFlight().deathCause();
                throw new ServiceUnavailableException(id, s.state(), "restarting: generation " + s.generation()
                        + (death == null ? " was stopped" : " died (" + InstanceDiedException.bound(String.valueOf(death))
                        + ")") + " and the next instance was not ready within the call's timeout of "
                        + readyTimeout + " (it is still cold-starting)", e);
            }
            throw new ServiceUnavailableException(id, s.state(), "not RUNNING within " + readyTimeout, e);
        } catch (CancellationException e) {
            throw new ServiceUnavailableException(id, lifecycle.snapshot().state(), "the service was stopped", e);
        } catch (ServiceFailedException e) {
            throw new ServiceUnavailableException(id, lifecycle.snapshot().state(), e.getMessage(), e);
        }
    }

    long callCount() {
        return calls.sum();
    }

    long failedCallCount() {
        return failedCalls.sum();
    }

    long refusedCallCount() {
        return refusedCalls.sum();
    }

    long retriedCallCount() {
        return retriedCalls.sum();
    }
}
