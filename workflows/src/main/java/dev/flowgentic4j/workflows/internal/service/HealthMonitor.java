package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.BackendWork;
import dev.flowgentic4j.workflows.HealthConfig;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.internal.Timers;
import dev.flowgentic4j.workflows.spi.Futures;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Runs a service's health check at an interval on the backend's timer, one check at a time, for one
 * generation of the service, and reports each verdict to the {@link RestartSupervisor}. Each check
 * is judged once, by its outcome or at its deadline, whichever comes first; a check that could not
 * run (refused by a full backend, or the last one still hanging) counts as a failed check, so a
 * refusal or a hang never ends supervision. It reads the live instance from the lifecycle's
 * snapshot and writes no lifecycle state. Thread-safe.
 */
final class HealthMonitor<S> {

    /** Receives the verdicts. */
    interface Verdicts {
        /**
         * Called after every check; {@code changed} when HEALTHY/UNHEALTHY flipped.
         *
         * @return whether to go on checking this generation (false once it is being replaced)
         */
        boolean healthChecked(int generation, HealthStatus status, boolean changed);
    }

    private final String serviceId;
    private final Backend backend;
    private final HealthConfig<S> config;
    private final IntFunction<S> liveInstance;
    private final Verdicts verdicts;
    private final AtomicReference<HealthStatus> status = new AtomicReference<>(HealthStatus.UNKNOWN);
    private final AtomicReference<Check> last = new AtomicReference<>();

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

    /**
     * One check, judged once: by its outcome, or at its deadline whatever its thread does (a check
     * that ignores its interrupt is UNHEALTHY on time, and its late outcome is ignored).
     */
    private final class Check {
        final int generation;
        final AtomicBoolean judged = new AtomicBoolean();
        volatile BackendWork<Void> work;

        Check(int generation) {
            this.generation = generation;
        }

        void judge(Throwable failure) {
            if (judged.compareAndSet(false, true)) {
                record(generation, failure);
            }
        }

        boolean stillRunning() {
            BackendWork<Void> w = work;
            return w != null && !w.outcome().isDone();
        }
    }

    /**
     * Runs one check if the generation is still live. A check that cannot run (the backend is full,
     * or the last check still hangs past its deadline) is a failed check: supervision never ends
     * because a check was refused or hung, and the next check is due at the next interval.
     */
    private void runCheck(int generation) {
        S instance = liveInstance.apply(generation);
        if (instance == null) {
            return; // stopped, failed or replaced
        }
        Check check = new Check(generation);
        Check before = last.getAndSet(check);
        if (before != null && before.generation == generation && before.stillRunning()) {
            last.set(before); // one check at a time: the hung one stays the one to wait for
            check.judge(new TimeoutException("health check of service '" + serviceId + "' could not run: the last"
                    + " check still runs after its timeout of " + config.timeout() + " (it ignores its interrupt)"));
            return;
        }
        BackendWork<Void> work;
        try {
            work = backend.submit("service '" + serviceId + "' health check", () -> {
                config.check().check(instance);
                return null;
            });
        } catch (RejectedExecutionException e) {
            if (!backend.isClosed()) {
                check.judge(new RejectedExecutionException("health check of service '" + serviceId
                        + "' could not run: " + e.getMessage(), e));
            }
            return;
        }
        check.work = work;
        Timers.deadline(backend, work.outcome(), config.timeout(), () -> {
            work.cancel(); // interrupted; judged now, whether or not it listens
            check.judge(new TimeoutException("health check of service '" + serviceId + "' took longer than "
                    + config.timeout()));
        });
        work.outcome().whenComplete((ignored, error) -> check.judge(error == null ? null : Futures.unwrap(error)));
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
        if (verdicts.healthChecked(generation, after, after.state() != before.state()
                && after.state() != HealthStatus.State.UNKNOWN)) {
            schedule(generation);
        }
    }
}
