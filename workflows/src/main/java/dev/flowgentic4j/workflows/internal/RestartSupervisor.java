package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.BackendWork;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.RestartPolicy;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervision of one service handle: reacts to health verdicts, and restarts an unhealthy instance
 * under the definition's {@link RestartPolicy} (a budget of restarts within a sliding window) or
 * fails the service once the budget is spent. State changes happen under the engine lock.
 */
final class RestartSupervisor<S> implements HealthMonitor.Verdicts {
    private static final Logger log = LoggerFactory.getLogger(ManagedService.class); // same log category as before

    private final ManagedService<?, S> service;
    private final Deque<Long> restartTimes = new ArrayDeque<>(); // guarded by the engine lock

    RestartSupervisor(ManagedService<?, S> service) {
        this.service = service;
    }

    @Override
    public void healthChecked(int checkedGeneration, HealthStatus status, boolean changed) {
        if (changed) {
            List<Runnable> actions = new ArrayList<>();
            synchronized (service.lock) {
                service.listeners.queueHealth(service, status);
            }
            service.fire(actions);
        }
        if (status.state() != HealthStatus.State.UNHEALTHY) {
            return;
        }
        if (service.definition.restartPolicy().restarts()) {
            restart(checkedGeneration, status.lastFailure());
        } else {
            service.health.continueWatching(checkedGeneration);
        }
    }

    /** Takes one restart from the budget if any is left; the caller holds the engine lock. */
    boolean restartAllowed() {
        RestartPolicy policy = service.definition.restartPolicy();
        long now = System.nanoTime();
        while (!restartTimes.isEmpty() && now - restartTimes.peekFirst() > policy.window().toNanos()) {
            restartTimes.removeFirst();
        }
        if (restartTimes.size() >= policy.maxRestarts()) {
            return false;
        }
        restartTimes.addLast(now);
        return true;
    }

    /** The failure of a service whose restart budget is spent. */
    ServiceFailedException budgetSpent(Throwable cause) {
        RestartPolicy policy = service.definition.restartPolicy();
        return new ServiceFailedException(service.id, "spent its restart budget (" + policy.maxRestarts() + " within "
                + policy.window() + ")", cause);
    }

    private void restart(int unhealthyGeneration, Throwable cause) {
        List<Runnable> actions;
        S old;
        boolean again;
        synchronized (service.lock) {
            if (service.state != ServiceState.RUNNING || service.generation != unhealthyGeneration
                    || service.stopRequested) {
                return;
            }
            old = service.instance;
            again = restartAllowed();
            actions = again
                    ? service.beginNewInstance(unhealthyGeneration, cause)
                    : service.moveTo(ServiceState.FAILED, budgetSpent(cause));
        }
        service.fire(actions);
        log.warn("service '{}' (generation {}) is unhealthy: {}; {}", service.id, unhealthyGeneration,
                String.valueOf(cause), again ? "restarting" : "restart budget spent, FAILED");
        BackendWork<Void> stop = service.stopping.submitStop(old);
        Future<?> deadline = Timers.scheduleQuietly(service.backend, stop::cancel, service.stopTimeout);
        stop.outcome().whenComplete((ignored, error) -> {
            deadline.cancel(false);
            if (error != null) {
                log.warn("service '{}': the unhealthy instance did not stop cleanly: {}", service.id,
                        String.valueOf(RetryingRun.unwrap(error)));
            }
            if (again) {
                scheduleColdStart();
            }
        });
    }

    /** Schedules the next cold start after the policy's backoff; a rejected timer ends the start as failed. */
    void scheduleColdStart() {
        try {
            service.backend.schedule(service::coldStart, service.definition.restartPolicy().backoff());
        } catch (RejectedExecutionException e) {
            service.startEnded(null, e);
        }
    }
}
