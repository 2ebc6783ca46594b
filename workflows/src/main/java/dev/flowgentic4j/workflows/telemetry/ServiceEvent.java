package dev.flowgentic4j.workflows.telemetry;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A lifecycle event of one service instance.
 *
 * @param type what happened
 * @param service the task name the service was registered under
 * @param serviceId the instance's id ({@code name#n})
 * @param generation the live generation after the event (0 before the first is RUNNING); for
 *     REPLACING the generation being replaced, for SWITCHED the one calls now go to, for DRAINED the
 *     one that was drained and stopped
 * @param duration for RUNNING and RESTARTED, how long the cold start took; for DRAINED, how long
 *     the replaced generation took from the switch to its stop; otherwise null
 * @param detail for FAILED and RESTARTING the cause, for INSTANCE_DIED the cause of death (at most 200
 *     characters), for HEALTH_CHANGED the new health, for STOPPING and TERMINATED the state it came
 *     from; for the blue/green and replica events, what each type says below; otherwise null
 */
public record ServiceEvent(Type type, String service, String serviceId, int generation, long nanos, Instant at,
                           Duration duration, String detail) implements FlowEvent {

    /**
     * Lifecycle event types, in the order a service goes through them. A restart is told one of two
     * ways, never both: stop-then-start (a supervised restart of a dead or idle instance, or any
     * replacement of a {@code singleInstance()} service; calls wait in the gap) as RESTARTING then
     * RESTARTED; blue/green (every other {@code restart()}/{@code update()} and the supervised
     * restart of an instance that still answers) as REPLACING, SWITCHED, then DRAINED. Listeners
     * ({@code ServiceListener}) hear {@code restarting}/{@code restarted} for both.
     */
    public enum Type {
        STARTING,
        RUNNING,
        /** A stop-then-start restart began: the instance is stopped first; detail: the cause, if supervised. */
        RESTARTING,
        /** A stop-then-start restart ended: the next generation is live; duration: its cold start. */
        RESTARTED,
        HEALTH_CHANGED, STOPPING, TERMINATED, FAILED,
        /** A replicated service got more replicas; detail: {@code from -> to}, the calls in flight. */
        SCALED_UP,
        /** A replicated service got fewer replicas; detail as for SCALED_UP. */
        SCALED_DOWN,
        /**
         * One replica of a replicated service was replaced by a rolling update; detail: the replica's
         * id and its new generation, or {@code old id -> new id} for a replica that had failed.
         */
        REPLICA_REPLACED,
        /**
         * A blue/green replacement began: the next generation cold-starts beside the live one, which
         * goes on serving; generation: the one being replaced; detail: which, and the cause of a
         * supervised restart.
         */
        REPLACING,
        /**
         * The next generation is ready and new calls go to it from now on (one atomic switch); the
         * previous one drains; generation: the one calls now go to.
         */
        SWITCHED,
        /**
         * A generation replaced blue/green has stopped after its drain; generation: the stopped one;
         * duration: from the switch to its stop; detail: whether the drain deadline was reached and
         * with how many calls still on it ({@code drain deadline PT5S reached with 2 call(s) still on
         * it}), and a stop failure.
         */
        DRAINED,
        /**
         * A replica of a replicated service ended FAILED and will not be replaced (the replacement
         * budget of its {@code ReplicaPolicy} is spent, or replacement is off); detail: its id and why.
         * It gets no calls; the handle's health turns UNHEALTHY until a {@code restart()} replaces it.
         */
        REPLICA_NOT_REPLACED,
        /**
         * The instance of a generation died (its death signal completed, or a call failed with an
         * exception its {@code deadOn} matches); detail: the cause, at most 200 characters.
         */
        INSTANCE_DIED }

    public ServiceEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(serviceId, "serviceId");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public String toJson() {
        return new Json.Object()
                .put("event", "service")
                .put("type", type.name())
                .put("service", service)
                .put("serviceId", serviceId)
                .put("generation", generation)
                .put("nanos", nanos)
                .put("at", at.toString())
                .put("durationMillis", duration == null ? null : duration.toNanos() / 1e6)
                .put("detail", detail)
                .toString();
    }
}
