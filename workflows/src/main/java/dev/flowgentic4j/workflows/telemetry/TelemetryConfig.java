package dev.flowgentic4j.workflows.telemetry;

import dev.flowgentic4j.workflows.spi.Checks;
import java.time.Duration;

/**
 * Telemetry settings of an engine: when a long cold start is reported. Immutable.
 *
 * <pre>{@code
 * TelemetryConfig telemetry = TelemetryConfig.builder()
 *     .coldStartLogThreshold(Duration.ofSeconds(5))
 *     .coldStartLogInterval(Duration.ofSeconds(10))
 *     .build();
 * EngineConfig config = EngineConfig.builder().telemetry(telemetry).build();
 * }</pre>
 */
public final class TelemetryConfig {
    public static final Duration DEFAULT_COLD_START_LOG_THRESHOLD = Duration.ofSeconds(2);
    public static final Duration DEFAULT_COLD_START_LOG_INTERVAL = Duration.ofSeconds(2);

    private final Duration coldStartLogThreshold;
    private final Duration coldStartLogInterval;

    private TelemetryConfig(Builder b) {
        this.coldStartLogThreshold = b.coldStartLogThreshold;
        this.coldStartLogInterval = b.coldStartLogInterval;
    }

    /** A 2 s threshold and a 2 s interval. */
    public static TelemetryConfig ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A service still STARTING this long after its start logs (at INFO) that it is still starting,
     * and logs how long its cold start took once RUNNING.
     */
    public Duration coldStartLogThreshold() {
        return coldStartLogThreshold;
    }

    /** After the threshold, how often a cold start still in progress is logged again. */
    public Duration coldStartLogInterval() {
        return coldStartLogInterval;
    }

    /** Builds a {@link TelemetryConfig}; each setter checks its argument at once. */
    public static final class Builder {
        private Duration coldStartLogThreshold = DEFAULT_COLD_START_LOG_THRESHOLD;
        private Duration coldStartLogInterval = DEFAULT_COLD_START_LOG_INTERVAL;

        private Builder() {}

        /** @throws IllegalArgumentException if zero or negative */
        public Builder coldStartLogThreshold(Duration threshold) {
            this.coldStartLogThreshold = Checks.requirePositive(threshold, "coldStartLogThreshold");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder coldStartLogInterval(Duration interval) {
            this.coldStartLogInterval = Checks.requirePositive(interval, "coldStartLogInterval");
            return this;
        }

        public TelemetryConfig build() {
            return new TelemetryConfig(this);
        }
    }
}
