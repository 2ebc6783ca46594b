package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.BackendWork;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceStopper;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one service handle stops: the move to STOPPING, the drain of calls in flight, the stop
 * action (run once per instance), the stop deadline, and the stopping of orphan instances that
 * were never used. Transitions go through {@link ManagedService#moveTo} under the engine lock.
 */
final class StopProcedure<S> {
    private static final Logger log = LoggerFactory.getLogger(ManagedService.class); // same log category as before

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

    /** Waits for calls in flight (up to half the stop timeout), then runs the stop action on the backend. */
    BackendWork<Void> submitStop(S target) {
        Callable<Void> stop = () -> {
            if (!service.gate.awaitDrained(service.stopTimeout.dividedBy(2))) {
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

    /** {@link ManagedService#stopAsync()}. */
    CompletableFuture<Void> stopAsync() {
        List<Runnable> actions;
        S toStop = null;
        RetryingRun<S> startRun = null;
        CompletableFuture<S> waiting;
        synchronized (service.lock) {
            service.stopRequested = true;
            waiting = service.ready;
            switch (service.state) {
                case NEW:
                    actions = service.moveTo(ServiceState.TERMINATED, null);
                    break;
                case STARTING:
                    service.stoppedNanos = System.nanoTime();
                    actions = service.moveTo(ServiceState.STOPPING, null);
                    startRun = service.run;
                    break;
                case RUNNING:
                    service.stoppedNanos = System.nanoTime();
                    actions = service.moveTo(ServiceState.STOPPING, null);
                    toStop = service.instance;
                    break;
                default:
                    return service.terminated.copy();
            }
        }
        waiting.completeExceptionally(new CancellationException("service '" + service.id + "' was stopped"));
        service.fire(actions);
        if (toStop != null) {
            Future<?> deadline = scheduleStopDeadline();
            BackendWork<Void> work = submitStop(toStop);
            work.outcome().whenComplete((ignored, error) -> {
                deadline.cancel(false);
                stopEnded(error == null ? null : RetryingRun.unwrap(error));
            });
            service.terminated.whenComplete((ignored, error) -> work.cancel()); // abandoned at its deadline: interrupted
        } else {
            scheduleStopDeadline();
            if (startRun != null && !startRun.result().isDone()) {
                startRun.cancel();
            } else {
                service.terminateIfStoppedWhileStarting(); // between restart attempts, or the start already ended
            }
        }
        return service.terminated.copy();
    }

    private Future<?> scheduleStopDeadline() {
        return Timers.scheduleQuietly(service.backend, () -> stopEnded(new TimeoutException(
                "stop did not finish within " + service.stopTimeout + "; abandoned")), service.stopTimeout);
    }

    private void stopEnded(Throwable stopFailure) {
        List<Runnable> actions;
        synchronized (service.lock) {
            if (service.state != ServiceState.STOPPING) {
                return;
            }
            actions = stopFailure == null
                    ? service.moveTo(ServiceState.TERMINATED, null)
                    : service.moveTo(ServiceState.FAILED,
                            new ServiceFailedException(service.id, "failed to stop", stopFailure));
        }
        service.fire(actions);
    }

    /** {@link ManagedService#cancel(boolean)}: stops and waits up to the stop timeout (plus a second). */
    boolean cancel() {
        synchronized (service.lock) {
            if (service.state.isTerminal() || service.cancelled) {
                return false;
            }
            service.cancelled = true;
        }
        CompletableFuture<Void> stopped = stopAsync();
        try {
            stopped.get(service.stopTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            log.warn("service '{}' did not stop cleanly: {}", service.id, e.getMessage());
        }
        return true;
    }
}
