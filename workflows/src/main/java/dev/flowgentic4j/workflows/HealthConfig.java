package dev.flowgentic4j.workflows;

import dev.flowgentic4j.workflows.spi.Checks;
import java.time.Duration;
import java.util.Objects;

/**
 * A periodic health check of a running service: what to run, how often, how long one check may
 * take, and how many failures in a row make the service unhealthy. Immutable.
 *
 * <pre>{@code
 * HealthConfig<HikariDataSource> health = HealthConfig
 *     .builder((HikariDataSource pool) -> { try (var c = pool.getConnection()) { c.isValid(1); } })
 *     .interval(Duration.ofSeconds(5))
 *     .failureThreshold(2)
 *     .build();
 * }</pre>
 */
public final class HealthConfig<S> {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_FAILURE_THRESHOLD = 1;

    private final HealthCheck<? super S> check;
    private final Duration interval;
    private final Duration timeout;
    private final int failureThreshold;

    private HealthConfig(Builder<S> b) {
        this.check = b.check;
        this.interval = b.interval;
        this.timeout = b.timeout;
        this.failureThreshold = b.failureThreshold;
    }

    /** @throws NullPointerException if {@code check} is null */
    public static <S> Builder<S> builder(HealthCheck<? super S> check) {
        return new Builder<>(check);
    }

    public HealthCheck<? super S> check() {
        return check;
    }

    public Duration interval() {
        return interval;
    }

    public Duration timeout() {
        return timeout;
    }

    public int failureThreshold() {
        return failureThreshold;
    }

    /** Builds a {@link HealthConfig}; each setter checks its argument at once. */
    public static final class Builder<S> {
        private final HealthCheck<? super S> check;
        private Duration interval = DEFAULT_INTERVAL;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;

        private Builder(HealthCheck<? super S> check) {
            this.check = Objects.requireNonNull(check, "check");
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder<S> interval(Duration interval) {
            this.interval = Checks.requirePositive(interval, "interval");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder<S> timeout(Duration timeout) {
            this.timeout = Checks.requirePositive(timeout, "timeout");
            return this;
        }

        /** @throws IllegalArgumentException if less than 1 */
        public Builder<S> failureThreshold(int failureThreshold) {
            if (failureThreshold < 1) {
                throw new IllegalArgumentException("failureThreshold must be >= 1, was " + failureThreshold);
            }
            this.failureThreshold = failureThreshold;
            return this;
        }

        public HealthConfig<S> build() {
            return new HealthConfig<>(this);
        }
    }
}
