package dev.flowgentic4j.workflows;

import java.time.Instant;
import java.util.Optional;

/**
 * The last known health of a service instance.
 *
 * @param state UNKNOWN until the first check, then HEALTHY or UNHEALTHY
 * @param consecutiveFailures failed checks in a row (0 after a success)
 * @param lastFailure what the last failed check threw, or null
 * @param lastFailureAt when the last failed check ended, or null
 * @param lastCheckAt when the last check ended, or null
 */
public record HealthStatus(State state, int consecutiveFailures, Throwable lastFailure, Instant lastFailureAt,
                           Instant lastCheckAt) {

    /** Health states. */
    public enum State { UNKNOWN, HEALTHY, UNHEALTHY }

    /** Before any check. */
    public static final HealthStatus UNKNOWN = new HealthStatus(State.UNKNOWN, 0, null, null, null);

    public boolean isHealthy() {
        return state == State.HEALTHY;
    }

    public Optional<Throwable> failure() {
        return Optional.ofNullable(lastFailure);
    }

    public Optional<Instant> failureAt() {
        return Optional.ofNullable(lastFailureAt);
    }
}
