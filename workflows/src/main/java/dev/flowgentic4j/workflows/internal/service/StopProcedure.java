package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.BackendWork;
import dev.flowgentic4j.workflows.ServiceStopper;
import dev.flowgentic4j.workflows.internal.Timers;
import dev.flowgentic4j.workflows.spi.Futures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one service stops: asks the lifecycle for the stop ({@link ServiceLifecycle#requestStop}),
 * then does what its plan says — cancels a cold start in progress, waits for a restart's replaced
 * instance to finish stopping, drains calls and runs the stop action (once per instance) — all
 * within the stop deadline, and reports the end to the lifecycle. Also stops orphan instances that
 * were never handed out. Thread-safe.
 */
final class StopProcedure<S> {
    private static final Logger log = LoggerFactory.getLogger(ManagedService.class);

    private final String id;
    private final Backend backend;
    private final ServiceLifecycle<S> lifecycle;
    private final CallGate gate;
    private final Optional<? extends ServiceStopper<? super S>> stopper;
    private final Duration stopTimeout;

    /**
     * @param stopper the definition's stop function; without one, an {@link AutoCloseable} instance is closed
     * @param stopTimeout the deadline of every stop, drain included
     */
    StopProcedure(String id, Backend backend, ServiceLifecycle<S> lifecycle, CallGate gate,
                  Optional<? extends ServiceStopper<? super S>> stopper, Duration stopTimeout) {
        this.id = id;
        this.backend = backend;
        this.lifecycle = lifecycle;
        this.gate = gate;
        this.stopper = stopper;
        this.stopTimeout = stopTimeout;
    }

    /** Runs the definition's stop function, or closes an {@link AutoCloseable} instance. */
    private void runStopAction(S target) throws Exception {
        if (stopper.isPresent()) {
            stopper.get().stop(target);
        } else if (target instanceof AutoCloseable) {
            ((AutoCloseable) target).close();
        }
    }

    /** Stops an instance that was never handed out (cancelled, late or not ready); logs a failure. */
    void stopOrphan(S orphan) {
        try {
            runStopAction(orphan);
            log.debug("service '{}': stopped an instance that was not used (cancelled, late or not ready)", id);
        } catch (Exception e) {
            log.warn("service '{}': could not stop an instance that was not used", id, e);
        }
    }

    /**
     * Waits for calls in flight (up to half the stop timeout; the {@code ownCalls} of the thread
     * that asked for the stop are not waited for), then runs the stop action on the backend, or on
     * this thread if the backend rejects the work. If the drain ran out during a stop-then-start
     * replacement, the calls still on the stopped generation end with {@link
     * dev.flowgentic4j.workflows.CallAbandonedException}; a final stop lets their outcome through.
     */
    BackendWork<Void> submitStop(S target, int ownCalls) {
        InFlight calls = lifecycle.snapshot().inFlight(); // the calls on the generation being stopped
        return submit(() -> {
            Duration drainDeadline = stopTimeout.dividedBy(2);
            if (!gate.awaitDrained(drainDeadline, ownCalls)) {
                log.warn("service '{}': stopping with {} call(s) still in flight", id, gate.inFlight());
                if (lifecycle.snapshot().restarting()) {
                    calls.abandon(drainDeadline); // a stop-then-start replacement: they fail, naming the deadline
                }
            }
            runStopAction(target);
            return null;
        });
    }

    /**
     * Stops a generation a blue/green switch replaced: waits for the calls still on it (they finish
     * on it) up to the drain deadline, half the stop timeout, then runs the stop action within the
     * stop timeout (interrupted and abandoned past it); the calls still on it at the drain deadline
     * end with {@link dev.flowgentic4j.workflows.CallAbandonedException}; completes {@code retiring} either way, and
     * reports it to the lifecycle so that a stop no longer waits for it. No thread waits meanwhile.
     */
    void retire(S replaced, int generation, InFlight calls, CompletableFuture<Void> retiring) {
        long switchedAt = lifecycle.now();
        CompletableFuture<Void> drained = new CompletableFuture<>();
        calls.retire().whenComplete((ignored, never) -> drained.complete(null));
        Duration drainDeadline = stopTimeout.dividedBy(2);
        java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
        Timers.deadline(backend, drained, drainDeadline, () -> {
            log.warn("service '{}': stopping a replaced generation with {} call(s) still on it after the drain deadline"
                    + " of {}", id, calls.count(), drainDeadline);
            calls.abandon(drainDeadline); // the calls still on it fail, naming the deadline
            cut.set(true);
            drained.complete(null);
        });
        drained.whenComplete((ignored, never) -> {
            calls.stopping(); // from now on a death signal is this stop's doing
            int left = (int) Math.max(0, calls.count());
            BackendWork<Void> work = submit(() -> {
                runStopAction(replaced);
                return null;
            });
            Timers.deadline(backend, work.outcome(), stopTimeout, work::cancel);
            work.outcome().whenComplete((done, error) -> {
                Throwable failure = error == null ? null : Futures.unwrap(error);
                if (failure == null) {
                    log.debug("service '{}': the replaced generation stopped", id);
                    retiring.complete(null);
                } else {
                    log.warn("service '{}': the replaced generation did not stop cleanly: {}", id,
                            String.valueOf(failure));
                    retiring.completeExceptionally(failure);
                }
                lifecycle.retired(retiring, new ServiceObserver.Drain(generation,
                        Duration.ofNanos(Math.max(0, lifecycle.now() - switchedAt)), drainDeadline, cut.get(), left,
                        failure)).deliver();
            });
        });
    }

    /**
     * Stops an instance that died: its stop action runs at once (no drain: its calls fail anyway)
     * within the stop timeout; completes {@code retiring} (if not null) and reports it to the lifecycle.
     *
     * @return completes (never exceptionally) once the stop ended or was abandoned at its deadline
     */
    CompletableFuture<Void> stopDead(S dead, CompletableFuture<Void> retiring) {
        BackendWork<Void> work = submit(() -> {
            runStopAction(dead);
            return null;
        });
        Timers.deadline(backend, work.outcome(), stopTimeout, work::cancel);
        return work.outcome().handle((done, error) -> {
            if (error == null) {
                log.debug("service '{}': the dead instance stopped", id);
                if (retiring != null) {
                    retiring.complete(null);
                }
            } else {
                Throwable failure = Futures.unwrap(error);
                log.warn("service '{}': the dead instance did not stop cleanly: {}", id, String.valueOf(failure));
                if (retiring != null) {
                    retiring.completeExceptionally(failure);
                }
            }
            if (retiring != null) {
                lifecycle.retired(retiring);
            }
            return null;
        });
    }

    /** Runs {@code stop} on the backend, or on this thread if the backend rejects the work. */
    private BackendWork<Void> submit(Callable<Void> stop) {
        try {
            return backend.submit("service '" + id + "' stop", stop);
        } catch (RejectedExecutionException e) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            try {
                stop.call();
                done.complete(null);
            } catch (Exception failure) {
                done.completeExceptionally(failure);
            }
            return new BackendWork<>() {
                @Override
                public CompletableFuture<Void> outcome() {
                    return done;
                }

                @Override
                public void cancel() {
                }
            };
        }
    }

    /** {@link ManagedService#stopAsync()} and the first half of cancel: begins the stop unless one began already. */
    ServiceLifecycle.StopPlan<S> stop(boolean cancel) {
        int ownCalls = gate.ownCalls();
        ServiceLifecycle.StopPlan<S> plan = lifecycle.requestStop(cancel);
        plan.events().complete();
        if (plan.began()) {
            carryOut(plan, ownCalls); // the stop and its deadline begin before any listener hears of it
        }
        plan.events().dispatch();
        return plan;
    }

    private void carryOut(ServiceLifecycle.StopPlan<S> plan, int ownCalls) {
        List<CompletableFuture<?>> parts = new ArrayList<>(3);
        for (ColdStart<S> start : plan.coldStarts()) { // the first, a restart's or a replacement's
            start.cancel();
            parts.add(start.settled());
        }
        parts.addAll(plan.retiring()); // replaced instances, still stopping
        BackendWork<Void> work = null;
        if (plan.instance() != null) {
            work = submitStop(plan.instance(), ownCalls);
            parts.add(work.outcome());
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
        BackendWork<Void> abandon = work;
        Timers.deadline(backend, all, stopTimeout, () -> {
            stopEnded(new TimeoutException("stop did not finish within " + stopTimeout + "; abandoned"));
            if (abandon != null) {
                abandon.cancel(); // interrupted
            }
        });
        all.whenComplete((ignored, error) -> stopEnded(error == null ? null : Futures.unwrap(error)));
    }

    private void stopEnded(Throwable stopFailure) {
        lifecycle.stopped(stopFailure).deliver();
    }

    /** {@link ManagedService#cancel(boolean)}: stops and waits for the stop; false if it was over before. */
    boolean cancel() {
        ServiceLifecycle.StopPlan<S> plan = stop(true);
        if (plan.wasOver()) {
            return false;
        }
        awaitTermination(lifecycle.termination(), stopTimeout, id);
        return true;
    }

    /**
     * Waits for a stop to end, up to its deadline plus a second (the deadline itself ends it; the
     * second only guards against a backend that can no longer run timers); logs a failed stop.
     */
    static void awaitTermination(CompletableFuture<Void> termination, Duration stopTimeout, String id) {
        try {
            termination.get(stopTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            log.warn("service '{}' did not stop cleanly: {}", id, String.valueOf(Futures.unwrap(e).getMessage()));
        }
    }
}
