package dev.flowgentic4j.workflows;

import dev.flowgentic4j.workflows.spi.Checks;
import java.time.Duration;

/**
 * Whether and how a running service that turned unhealthy, or whose instance died, is restarted: a new instance (a new
 * generation; the service stays RUNNING meanwhile) behind the same handle, at most
 * {@code maxRestarts} times within {@code window} (measured with the engine's {@link Ticker}), after
 * {@code backoff}. When the budget is spent the service becomes FAILED and says why. Immutable.
 *
 * <pre>{@code
 * RestartPolicy policy = RestartPolicy.onFailure(3, Duration.ofMinutes(1), Duration.ofMillis(200));
 * }</pre>
 */
public final class RestartPolicy {
    private static final RestartPolicy NEVER = new RestartPolicy(0, Duration.ZERO, Duration.ZERO);

    private final int maxRestarts;
    private final Duration window;
    private final Duration backoff;

    private RestartPolicy(int maxRestarts, Duration window, Duration backoff) {
        this.maxRestarts = maxRestarts;
        this.window = window;
        this.backoff = backoff;
    }

    /**
     * No restart: an unhealthy service stays up and reports it; a service whose instance dies (see
     * {@link ServiceDefinition.Builder#diesWhen}) becomes FAILED at once, naming the death. The default.
     */
    public static RestartPolicy never() {
        return NEVER;
    }

    /**
     * Restarts on failure, at most {@code maxRestarts} times within any {@code window}.
     *
     * @throws IllegalArgumentException if {@code maxRestarts < 1}, {@code window} is not positive or
     *     {@code backoff} is negative
     */
    public static RestartPolicy onFailure(int maxRestarts, Duration window, Duration backoff) {
        if (maxRestarts < 1) {
            throw new IllegalArgumentException("maxRestarts must be >= 1, was " + maxRestarts);
        }
        return new RestartPolicy(maxRestarts, Checks.requirePositive(window, "window"),
                Checks.requireNonNegative(backoff, "backoff"));
    }

    public boolean restarts() {
        return maxRestarts > 0;
    }

    public int maxRestarts() {
        return maxRestarts;
    }

    public Duration window() {
        return window;
    }

    public Duration backoff() {
        return backoff;
    }

    @Override
    public String toString() {
        return restarts() ? "RestartPolicy[at most " + maxRestarts + " within " + window + ", backoff " + backoff + "]"
                : "RestartPolicy[never]";
    }
}
