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
 * @param generation the live generation after the event (0 before the first is RUNNING)
 * @param duration for RUNNING and RESTARTED, how long the cold start took; otherwise null
 * @param detail for FAILED and RESTARTING the cause, for INSTANCE_DIED the cause of death (at most 200
 *     characters), for HEALTH_CHANGED the new health, for
 *     STOPPING and TERMINATED the state it came from; otherwise null
 */
public record ServiceEvent(Type type, String service, String serviceId, int generation, long nanos, Instant at,
                           Duration duration, String detail) implements FlowEvent {

    /** Lifecycle event types, in the order a service goes through them. */
    public enum Type { STARTING, RUNNING, RESTARTING, RESTARTED, HEALTH_CHANGED, STOPPING, TERMINATED, FAILED,
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
