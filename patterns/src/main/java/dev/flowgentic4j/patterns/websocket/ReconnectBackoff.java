package dev.flowgentic4j.patterns.websocket;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a {@link WebSocketService} waits before each attempt to replace a lost connection:
 * {@code initial}, multiplied by {@code multiplier} after each failed attempt, never more than
 * {@code max}. Reconnecting goes on until it succeeds or the service stops. Immutable.
 *
 * <pre>{@code
 * ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0);
 * }</pre>
 *
 * @param initial the wait before the first attempt (zero: at once)
 * @param max the longest wait
 * @param multiplier the growth factor per failed attempt, at least 1
 */
public record ReconnectBackoff(Duration initial, Duration max, double multiplier) {
    public static final ReconnectBackoff DEFAULT = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0);

    /** @throws IllegalArgumentException if a duration is negative, {@code max < initial} or {@code multiplier < 1} */
    public ReconnectBackoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative()) {
            throw new IllegalArgumentException("initial must not be negative, was " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max must be >= initial (" + initial + "), was " + max);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number >= 1, was " + multiplier);
        }
    }

    /** The wait before attempt {@code attempt} (1 for the first). */
    public Duration delay(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
        double nanos = initial.toNanos() * Math.pow(multiplier, attempt - 1);
        return nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
    }
}
