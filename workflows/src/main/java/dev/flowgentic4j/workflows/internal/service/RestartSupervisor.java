package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.BackendWork;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.RestartPolicy;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.internal.Timers;
import dev.flowgentic4j.workflows.spi.Futures;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervision of one service handle: hears health verdicts and, under the definition's
 * {@link RestartPolicy} (a budget of restarts within a sliding window, read from the engine's
 * ticker), replaces an unhealthy instance with a new generation, or fails the service once the
 * budget is spent. State changes go through {@link ServiceLifecycle}. An unhealthy instance still
 * answers calls (its last call returned) is replaced blue/green (the next generation ready beside it, then the switch,
 * the drain and its stop) unless the service is single-instance, whose restart is stop-then-start.
 * Thread-safe.
 */
final class RestartSupervisor<S> implements HealthMonitor.Verdicts {
    private static final Logger log = LoggerFactory.getLogger(ManagedService.class);

    private final String id;
    private final Backend backend;
    private final ServiceLifecycle<S> lifecycle;
    private final RestartPolicy policy;
    private final StopProcedure<S> stopping;
    private final Duration stopTimeout;
    private final Runnable coldStart;
    private final BlueGreen blueGreen;
    private final Deque<Long> restartTimes = new ArrayDeque<>(); // guarded by this

    /**
     * @param stopping stops the replaced instance
     * @param stopTimeout the deadline of that stop
     * @param coldStart starts the next generation (the service's cold start)
     * @param blueGreen replaces an unhealthy generation beside itself, or null (a single-instance
     *     service: stop-then-start)
     */
    RestartSupervisor(String id, Backend backend, ServiceLifecycle<S> lifecycle, RestartPolicy policy,
                      StopProcedure<S> stopping, Duration stopTimeout, Runnable coldStart, BlueGreen blueGreen) {
        this.blueGreen = blueGreen;
        this.id = id;
        this.backend = backend;
        this.lifecycle = lifecycle;
        this.policy = policy;
        this.stopping = stopping;
        this.stopTimeout = stopTimeout;
        this.coldStart = coldStart;
    }

    /** A blue/green replacement of an unhealthy generation that still answers. */
    @FunctionalInterface
    interface BlueGreen {
        /** @return whether the replacement began (false: replaced, stopped, or one under way) */
        boolean replace(int unhealthyGeneration, Throwable cause);
    }

    @Override
    public boolean healthChecked(int checkedGeneration, HealthStatus status, boolean changed) {
        if (changed) {
            lifecycle.healthChanged(status).deliver();
        }
        if (status.state() != HealthStatus.State.UNHEALTHY || !policy.restarts()) {
            return true; // keep checking this generation
        }
        // a generation a blue/green replacement is about to replace is not restarted: keep checking it
        return !restart(checkedGeneration, status.lastFailure());
    }

    /** Takes one restart from the budget if any is left in the window. */
    synchronized boolean restartAllowed() {
        long now = lifecycle.now();
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
        return new ServiceFailedException(id, "spent its restart budget (" + policy.maxRestarts() + " within "
                + policy.window() + ")", cause);
    }

    /**
     * Replaces the unhealthy instance: the service stays RUNNING (restarting) while the old instance
     * stops within the stop deadline; then a new generation cold-starts after the backoff, or the
     * service FAILS if the budget is spent.
     */
    private boolean restart(int unhealthyGeneration, Throwable cause) {
        if (blueGreen != null && lifecycle.replacing()) {
            return false; // the next generation is already starting beside this one: keep checking it
        }
        boolean again = restartAllowed();
        if (again && blueGreen != null) {
            // still answering (its last call returned): the next generation starts beside it and calls switch
            // once it is ready; this generation stays checked, so one that cannot start beside it is tried again
            // at the next verdict. Not known to answer (dead, idle): stop-then-start below, calls wait.
            if (blueGreen.replace(unhealthyGeneration, cause)) {
                log.warn("service '{}' (generation {}) is unhealthy but answers: {}; replacing it blue/green", id,
                        unhealthyGeneration, String.valueOf(cause));
                return false;
            }
            if (lifecycle.replacing()) {
                return false;
            }
        }
        ServiceLifecycle.Restart<S> restart = lifecycle.beginRestart(unhealthyGeneration, cause, again);
        if (restart == null) {
            return false; // stopped, failed, already replaced, or a replacement is under way
        }
        restart.events().complete();
        log.warn("service '{}' (generation {}) is unhealthy: {}; {}", id, unhealthyGeneration,
                String.valueOf(cause), again ? "restarting" : "restart budget spent, FAILED");
        BackendWork<Void> stop = stopping.submitStop(restart.replaced(), 0);
        Timers.deadline(backend, stop.outcome(), stopTimeout, stop::cancel);
        stop.outcome().whenComplete((ignored, error) -> {
            if (error == null) {
                restart.retiring().complete(null);
            } else {
                Throwable failure = Futures.unwrap(error);
                log.warn("service '{}': the unhealthy instance did not stop cleanly: {}", id, String.valueOf(failure));
                restart.retiring().completeExceptionally(failure);
            }
            lifecycle.retired(restart.retiring());
            if (again) {
                scheduleColdStart();
            } else {
                lifecycle.fail(budgetSpent(cause)).deliver();
            }
        });
        restart.events().dispatch(); // the old instance's stop and its deadline began before listeners hear of it
        return true;
    }

    /**
     * The live generation died and a restart was taken from the budget ({@link #restartAllowed}):
     * the next generation cold-starts after the policy's backoff, without waiting for a health check.
     */
    void restartAfterDeath() {
        scheduleColdStart();
    }

        /** A restart's cold start failed: tries again within the budget, or fails the service. */
    void coldStartFailed(Throwable cause) {
        if (restartAllowed()) {
            scheduleColdStart();
        } else {
            lifecycle.fail(budgetSpent(cause)).deliver();
        }
    }

    /** Schedules the next cold start after the policy's backoff; a rejected timer fails the service. */
    private void scheduleColdStart() {
        try {
            backend.schedule(coldStart, policy.backoff());
        } catch (RejectedExecutionException e) {
            lifecycle.fail(new ServiceFailedException(id,
                    "could not schedule its restart (the backend rejected it)", e)).deliver();
        }
    }
}
