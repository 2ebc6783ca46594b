package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.BackendWork;
import dev.flowgentic4j.workflows.ServiceStopper;
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

    private final ManagedService<?, S> service;

    StopProcedure(ManagedService<?, S> service) {
        this.service = service;
    }

    /** Runs the definition's stop function, or closes an {@link AutoCloseable} instance. */
    private void runStopAction(S target) throws Exception {
        Optional<? extends ServiceStopper<? super S>> stopper = service.definition.stopper();
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
            log.debug("service '{}': stopped an instance that was not used (cancelled, late or not ready)", service.id);
        } catch (Exception e) {
            log.warn("service '{}': could not stop an instance that was not used", service.id, e);
        }
    }

    /**
     * Waits for calls in flight (up to half the stop timeout; the {@code ownCalls} of the thread
     * that asked for the stop are not waited for), then runs the stop action on the backend, or on
     * this thread if the backend rejects the work.
     */
    BackendWork<Void> submitStop(S target, int ownCalls) {
        Callable<Void> stop = () -> {
            if (!service.gate.awaitDrained(service.stopTimeout.dividedBy(2), ownCalls)) {
                log.warn("service '{}': stopping with {} call(s) still in flight", service.id, service.gate.inFlight());
            }
            runStopAction(target);
            return null;
        };
        try {
            return service.backend.submit("service '" + service.id + "' stop", stop);
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
        int ownCalls = service.gate.ownCalls();
        ServiceLifecycle.StopPlan<S> plan = service.lifecycle.requestStop(cancel);
        plan.events().deliver();
        if (plan.began()) {
            carryOut(plan, ownCalls);
        }
        return plan;
    }

    private void carryOut(ServiceLifecycle.StopPlan<S> plan, int ownCalls) {
        List<CompletableFuture<?>> parts = new ArrayList<>(3);
        if (plan.coldStart() != null) {
            plan.coldStart().cancel();
            parts.add(plan.coldStart().settled());
        }
        if (plan.retiring() != null) {
            parts.add(plan.retiring()); // a restart's replaced instance, still stopping
        }
        BackendWork<Void> work = null;
        if (plan.instance() != null) {
            work = submitStop(plan.instance(), ownCalls);
            parts.add(work.outcome());
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
        BackendWork<Void> abandon = work;
        Timers.deadline(service.backend, all, service.stopTimeout, () -> {
            stopEnded(new TimeoutException("stop did not finish within " + service.stopTimeout + "; abandoned"));
            if (abandon != null) {
                abandon.cancel(); // interrupted
            }
        });
        all.whenComplete((ignored, error) -> stopEnded(error == null ? null : Futures.unwrap(error)));
    }

    private void stopEnded(Throwable stopFailure) {
        service.lifecycle.stopped(stopFailure).deliver();
    }

    /** {@link ManagedService#cancel(boolean)}: stops and waits for the stop; false if it was over before. */
    boolean cancel() {
        ServiceLifecycle.StopPlan<S> plan = stop(true);
        if (plan.wasOver()) {
            return false;
        }
        awaitTermination(service.lifecycle.termination(), service.stopTimeout, service.id);
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
