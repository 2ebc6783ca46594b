package dev.flowgentic4j.workflows.telemetry;

import dev.flowgentic4j.workflows.FlowType;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The start or the end of one task, node or tool call. A call's START and END share its
 * {@code callId}.
 *
 * @param phase START or END
 * @param kind task, graph node or agent tool
 * @param name the task, node or tool name
 * @param flowType the flow type of what was called
 * @param callId unique per call in its engine
 * @param attempt attempts made so far (at END: all of them; 1 for calls without retries)
 * @param serviceId the id of the service handle the call used, or null
 * @param replica the id of the replica that served the call (the id its own service events and
 *     metrics carry), or null: no service, a service without replicas, or a call refused before it
 *     reached a replica
 * @param generation the generation of the instance that served the call (of the replica, if
 *     replicated), read by the engine as it ran the call ({@link dev.flowgentic4j.workflows.CallContext});
 *     for a call that never reached an instance, the handle's generation when the call began; 0
 *     without a service. At START, what was known then (the handle's generation)
 * @param duration at END, how long the call took; null at START
 * @param outcome at END, SUCCESS, FAILURE or REFUSED; null at START
 * @param error at END of a failed call, what was thrown; otherwise null
 */
public record CallEvent(Phase phase, Kind kind, String name, FlowType flowType, long callId, int attempt,
                        String serviceId, String replica, int generation, long nanos, Instant at,
                        Duration duration, Outcome outcome, String error) implements FlowEvent {

    /** START or END. */
    public enum Phase { START, END }

    /** What was called. */
    public enum Kind { TASK, NODE, TOOL }

    /**
     * How a call ended: it succeeded, it failed, or it was refused before it reached the service (no
     * slot under its concurrency limit in time, or the service was not RUNNING: a
     * {@code ServiceBusyException} or {@code ServiceUnavailableException}).
     */
    public enum Outcome { SUCCESS, FAILURE, REFUSED }

    public CallEvent {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(flowType, "flowType");
        Objects.requireNonNull(at, "at");
    }

    /**
     * A call event without a replica (the form before replicas were recorded).
     *
     * @throws NullPointerException if phase, kind, name, flowType or at is null
     */
    public CallEvent(Phase phase, Kind kind, String name, FlowType flowType, long callId, int attempt,
                     String serviceId, int generation, long nanos, Instant at, Duration duration, Outcome outcome,
                     String error) {
        this(phase, kind, name, flowType, callId, attempt, serviceId, null, generation, nanos, at, duration, outcome,
                error);
    }

    /** Whether this is the END of a call that failed or was refused. */
    public boolean failed() {
        return outcome == Outcome.FAILURE || outcome == Outcome.REFUSED;
    }

    /** Whether this is the END of a call that was refused before it reached the service. */
    public boolean refused() {
        return outcome == Outcome.REFUSED;
    }

    @Override
    public String toJson() {
        return new Json.Object()
                .put("event", "call")
                .put("phase", phase.name())
                .put("kind", kind.name())
                .put("name", name)
                .put("flowType", flowType.name())
                .put("callId", callId)
                .put("attempt", attempt)
                .put("serviceId", serviceId)
                .put("replica", replica)
                .put("generation", generation)
                .put("nanos", nanos)
                .put("at", at.toString())
                .put("durationMillis", duration == null ? null : duration.toNanos() / 1e6)
                .put("outcome", outcome == null ? null : outcome.name())
                .put("error", error)
                .toString();
    }
}
