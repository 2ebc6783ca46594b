package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.BackendWork;
import dev.flowgentic4j.workflows.HealthConfig;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.spi.Futures;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Runs a service's health check at an interval on the backend's timer, one check at a time, for one
 * generation of the service, and reports each verdict to the {@link RestartSupervisor}. It reads
 * the live instance from the lifecycle's snapshot and writes no lifecycle state. Thread-safe.
 */
final class HealthMonitor<S> {

    /** Receives the verdicts. */
    interface Verdicts {
        /** Called after every check; {@code changed} when HEALTHY/UNHEALTHY flipped. */
        void healthChecked(int generation, HealthStatus status, boolean changed);
    }

    private final String serviceId;
    private final Backend backend;
    private final HealthConfig<S> config;
    private final IntFunction<S> liveInstance;
    private final Verdicts verdicts;
    private final AtomicReference<HealthStatus> status = new AtomicReference<>(HealthStatus.UNKNOWN);

    HealthMonitor(String serviceId, Backend backend, HealthConfig<S> config, IntFunction<S> liveInstance,
                  Verdicts verdicts) {
        this.serviceId = serviceId;
        this.backend = backend;
        this.config = config;
        this.liveInstance = liveInstance;
        this.verdicts = verdicts;
    }

    HealthStatus status() {
        return status.get();
    }

    /** Forgets the last verdict (a new instance is unknown until checked) and schedules its first check. */
    void watch(int generation) {
        status.set(HealthStatus.UNKNOWN);
        schedule(generation);
    }

    private void schedule(int generation) {
        Timers.scheduleQuietly(backend, () -> runCheck(generation), config.interval());
    }

    private void runCheck(int generation) {
        S instance = liveInstance.apply(generation);
        if (instance == null) {
            return; // stopped, failed or replaced
        }
        BackendWork<Void> work;
        try {
            work = backend.submit("service '" + serviceId + "' health check", () -> {
                config.check().check(instance);
                return null;
            });
        } catch (RejectedExecutionException e) {
            return;
        }
        AtomicReference<TimeoutException> timedOut = new AtomicReference<>();
        Timers.deadline(backend, work.outcome(), config.timeout(), () -> {
            timedOut.set(new TimeoutException("health check of service '" + serviceId + "' took longer than "
                    + config.timeout()));
            work.cancel();
        });
        work.outcome().whenComplete((ignored, error) -> {
            Throwable failure = timedOut.get() != null ? timedOut.get() : error == null ? null : Futures.unwrap(error);
            record(generation, failure);
        });
    }

    private void record(int generation, Throwable failure) {
        Instant now = Instant.now();
        HealthStatus before = status.get();
        HealthStatus after;
        if (failure == null) {
            after = new HealthStatus(HealthStatus.State.HEALTHY, 0, before.lastFailure(), before.lastFailureAt(), now);
        } else {
            int failures = before.consecutiveFailures() + 1;
            HealthStatus.State state = failures >= config.failureThreshold()
                    ? HealthStatus.State.UNHEALTHY
                    : before.state() == HealthStatus.State.UNKNOWN ? HealthStatus.State.UNKNOWN : before.state();
            after = new HealthStatus(state, failures, failure, now, now);
        }
        if (liveInstance.apply(generation) == null) {
            return; // the verdict is about an instance that is gone
        }
        status.set(after);
        verdicts.healthChecked(generation, after, after.state() != before.state()
                && after.state() != HealthStatus.State.UNKNOWN);
        if (after.state() != HealthStatus.State.UNHEALTHY || failure == null) {
            schedule(generation);
        }
    }

    /** Keeps checking an unhealthy instance that is not restarted. */
    void continueWatching(int generation) {
        schedule(generation);
    }
}
