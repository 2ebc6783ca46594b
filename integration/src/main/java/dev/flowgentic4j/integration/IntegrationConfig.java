package dev.flowgentic4j.integration;

import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.spi.Checks;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link LangGraphIntegration}: the engine's settings plus how long graph nodes and
 * tools wait for a service that is still starting. Immutable.
 *
 * <pre>{@code
 * IntegrationConfig config = IntegrationConfig.builder()
 *     .engine(EngineConfig.builder().stopTimeout(Duration.ofSeconds(5)).build())
 *     .serviceReadyTimeout(Duration.ofSeconds(30))
 *     .build();
 * }</pre>
 */
public final class IntegrationConfig {
    public static final Duration DEFAULT_SERVICE_READY_TIMEOUT = Duration.ofSeconds(30);

    private final EngineConfig engine;
    private final Duration serviceReadyTimeout;

    private IntegrationConfig(Builder b) {
        this.engine = b.engine;
        this.serviceReadyTimeout = b.serviceReadyTimeout;
    }

    public static IntegrationConfig ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public EngineConfig engine() {
        return engine;
    }

    /** How long a node or tool waits for its service to be RUNNING before it fails. */
    public Duration serviceReadyTimeout() {
        return serviceReadyTimeout;
    }

    /** Builds an {@link IntegrationConfig}; each setter checks its argument at once. */
    public static final class Builder {
        private EngineConfig engine = EngineConfig.ofDefaults();
        private Duration serviceReadyTimeout = DEFAULT_SERVICE_READY_TIMEOUT;

        private Builder() {}

        public Builder engine(EngineConfig engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder serviceReadyTimeout(Duration timeout) {
            this.serviceReadyTimeout = Checks.requirePositive(timeout, "serviceReadyTimeout");
            return this;
        }

        public IntegrationConfig build() {
            return new IntegrationConfig(this);
        }
    }
}
