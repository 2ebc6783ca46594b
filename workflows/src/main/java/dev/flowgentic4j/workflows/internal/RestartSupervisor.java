package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.BackendWork;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.RestartPolicy;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.spi.Futures;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervision of one service handle: hears health verdicts and, under the definition's
 * {@link RestartPolicy} (a budget of restarts within a sliding window, read from the engine's
 * ticker), replaces an unhealthy instance with a new generation, or fails the service once the
 * budget is spent. State changes go through {@link ServiceLifecycle}. Thread-safe.
 */
final class RestartSupervisor<S> implements HealthMonitor.Verdicts {
    private static final Logger log = LoggerFactory.getLogger(ManagedService.class);

    private final ManagedService<?, S> service;
    private final Deque<Long> restartTimes = new ArrayDeque<>(); // guarded by this

    RestartSupervisor(ManagedService<?, S> service) {
        this.service = service;
    }

    @Override
    public void healthChecked(int checkedGeneration, HealthStatus status, boolean changed) {
        if (changed) {
            service.lifecycle.healthChanged(status).deliver();
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

    /** Takes one restart from the budget if any is left in the window. */
    synchronized boolean restartAllowed() {
        RestartPolicy policy = service.definition.restartPolicy();
        long now = service.lifecycle.now();
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

    /**
     * Replaces the unhealthy instance: the service stays RUNNING (restarting) while the old instance
     * stops within the stop deadline; then a new generation cold-starts after the backoff, or the
     * service FAILS if the budget is spent.
     */
    private void restart(int unhealthyGeneration, Throwable cause) {
        boolean again = restartAllowed();
        ServiceLifecycle.Restart<S> restart = service.lifecycle.beginRestart(unhealthyGeneration, cause, again);
        if (restart == null) {
            return; // stopped, failed or already replaced meanwhile
        }
        restart.events().deliver();
        log.warn("service '{}' (generation {}) is unhealthy: {}; {}", service.id, unhealthyGeneration,
                String.valueOf(cause), again ? "restarting" : "restart budget spent, FAILED");
        BackendWork<Void> stop = service.stopping.submitStop(restart.replaced(), 0);
        Timers.deadline(service.backend, stop.outcome(), service.stopTimeout, stop::cancel);
        stop.outcome().whenComplete((ignored, error) -> {
            if (error == null) {
                restart.retiring().complete(null);
            } else {
                Throwable failure = Futures.unwrap(error);
                log.warn("service '{}': the unhealthy instance did not stop cleanly: {}", service.id, String.valueOf(failure));
                restart.retiring().completeExceptionally(failure);
            }
            service.lifecycle.retired(restart.retiring());
            if (again) {
                scheduleColdStart();
            } else {
                service.lifecycle.fail(budgetSpent(cause)).deliver();
            }
        });
    }

    /** A restart's cold start failed: tries again within the budget, or fails the service. */
    void coldStartFailed(Throwable cause) {
        if (restartAllowed()) {
            scheduleColdStart();
        } else {
            service.lifecycle.fail(budgetSpent(cause)).deliver();
        }
    }

    /** Schedules the next cold start after the policy's backoff; a rejected timer fails the service. */
    private void scheduleColdStart() {
        try {
            service.backend.schedule(service::coldStart, service.definition.restartPolicy().backoff());
        } catch (RejectedExecutionException e) {
            service.lifecycle.fail(new ServiceFailedException(service.id,
                    "could not schedule its restart (the backend rejected it)", e)).deliver();
        }
    }
}
