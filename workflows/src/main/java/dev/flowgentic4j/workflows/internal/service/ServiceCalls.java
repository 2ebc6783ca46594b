package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.CallContext;
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
 */
final class ServiceCalls<S> {
    private final String id;
    private final ServiceLifecycle<S> lifecycle;
    private final CallGate gate;
    private final LongAdder calls = new LongAdder();
    private final LongAdder failedCalls = new LongAdder();
    private final LongAdder refusedCalls = new LongAdder();
    private final String replicaOf;                     // the replicated handle's id, or null
    private volatile CallContext context;               // of the last generation that served a call

    /** @param replicaOf the id of the replicated handle this instance is a replica of, or null */
    ServiceCalls(String id, String replicaOf, ServiceLifecycle<S> lifecycle, CallGate gate) {
        this.id = id;
        this.replicaOf = replicaOf;
        this.lifecycle = lifecycle;
        this.gate = gate;
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
                        throw refused(e);
                    }
                }
                token = gate.enter();
                ServiceLifecycle.Snapshot<S> now = lifecycle.snapshot();
                if (now.live() && now.instance() == live) {
                    generation = now.inFlight();
                    served = now.generation();
                    generation.enter();
                    if (lifecycle.snapshot().inFlight() == generation) {
                        break; // a stop, restart or switch that begins now waits for this call
                    }
                    generation.exit(); // replaced meanwhile: go to the next generation
                }
                gate.exit(token);
            }
            calls.increment();
            CallContext outer = CurrentCall.enter(context(served)); // what instrumentation reads in the call
            try {
                R result = call.apply(live);
                generation.outcome(true);
                return result;
            } catch (RuntimeException | Error e) {
                generation.outcome(false);
                failedCalls.increment();
                throw e;
            } catch (Exception e) {
                generation.outcome(false);
                failedCalls.increment();
                throw new ServiceCallException(id, e);
            } finally {
                CurrentCall.exit(outer);
                generation.exit();
                gate.exit(token);
            }
        } finally {
            gate.releaseSlot();
        }
    }

    private S awaitForCall(long deadline, Duration readyTimeout) {
        try {
            return await(Math.max(1, deadline - System.nanoTime()));
        } catch (TimeoutException e) {
            ServiceLifecycle.Snapshot<S> s = lifecycle.snapshot();
            if (s.restarting()) {
                throw new ServiceUnavailableException(id, s.state(), "restarting: generation " + s.generation()
                        + " was stopped and the next instance was not ready within the call's timeout of "
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
}
