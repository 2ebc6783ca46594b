package dev.flowgentic4j.workflows;

import dev.flowgentic4j.workflows.spi.Checks;
import dev.flowgentic4j.workflows.telemetry.TelemetryConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link FlowEngine}: the backend, default retry policies, stop deadlines and the
 * clock ({@link Ticker}) of durations and restart windows. Immutable.
 *
 * <pre>{@code
 * EngineConfig config = EngineConfig.builder()
 *     .stopTimeout(Duration.ofSeconds(5))
 *     .taskRetry(RetryConfig.noRetry())
 *     .build();
 * }</pre>
 */
public final class EngineConfig {
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BACKEND_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private final Backend backend;
    private final RetryConfig taskRetry;
    private final RetryConfig serviceRetry;
    private final Duration stopTimeout;
    private final Duration backendShutdownTimeout;
    private final Ticker ticker;
    private final LocalBackendConfig localBackend;
    private final TelemetryConfig telemetry;

    private EngineConfig(Builder b) {
        this.localBackend = b.localBackend != null ? b.localBackend : LocalBackendConfig.ofDefaults();
        this.backend = b.backend;
        this.taskRetry = b.taskRetry;
        this.serviceRetry = b.serviceRetry;
        this.stopTimeout = b.stopTimeout;
        this.backendShutdownTimeout = b.backendShutdownTimeout;
        this.ticker = b.ticker;
        this.telemetry = b.telemetry;
    }

    /** A local backend, default retries ({@link RetryConfig#ofDefaults()}), 10 s stop timeout. */
    public static EngineConfig ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The backend to use; empty means a new local backend owned (and closed) by the engine. */
    public Optional<Backend> backend() {
        return Optional.ofNullable(backend);
    }

    /** Settings of the local backend the engine creates when no {@link #backend()} is given. */
    public LocalBackendConfig localBackend() {
        return localBackend;
    }

    /** Default retry policy of function tasks. */
    public RetryConfig taskRetry() {
        return taskRetry;
    }

    /** Default retry policy of service start-up. */
    public RetryConfig serviceRetry() {
        return serviceRetry;
    }

    /** Default time one service's stop may take, on cancel and on close. */
    public Duration stopTimeout() {
        return stopTimeout;
    }

    /** How long closing waits for the backend's threads to end. */
    public Duration backendShutdownTimeout() {
        return backendShutdownTimeout;
    }

    /**
     * The clock of start-up durations, uptime and restart windows; {@link Ticker#systemTicker()} by
     * default. (Timers that wait, such as health-check intervals and backoff, run on the backend.)
     */
    public Ticker ticker() {
        return ticker;
    }

    /** Telemetry settings (the cold-start progress log); {@link TelemetryConfig#ofDefaults()} by default. */
    public TelemetryConfig telemetry() {
        return telemetry;
    }

    /** Builds an {@link EngineConfig}; each setter checks its argument at once. */
    public static final class Builder {
        private Backend backend;
        private RetryConfig taskRetry = RetryConfig.ofDefaults();
        private RetryConfig serviceRetry = RetryConfig.ofDefaults();
        private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
        private Duration backendShutdownTimeout = DEFAULT_BACKEND_SHUTDOWN_TIMEOUT;
        private Ticker ticker = Ticker.systemTicker();
        private LocalBackendConfig localBackend;
        private TelemetryConfig telemetry = TelemetryConfig.ofDefaults();

        private Builder() {}

        /**
         * Settings of the local backend the engine creates (bounded, virtual threads); not with
         * {@link #backend(Backend)}.
         */
        public Builder localBackend(LocalBackendConfig localBackend) {
            this.localBackend = Objects.requireNonNull(localBackend, "localBackend");
            return this;
        }

        /** The clock of start-up durations, uptime and restart windows (a fake one in tests). */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        public Builder telemetry(TelemetryConfig telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        /** A backend the engine uses but also closes on close. */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        public Builder taskRetry(RetryConfig taskRetry) {
            this.taskRetry = Objects.requireNonNull(taskRetry, "taskRetry");
            return this;
        }

        public Builder serviceRetry(RetryConfig serviceRetry) {
            this.serviceRetry = Objects.requireNonNull(serviceRetry, "serviceRetry");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = Checks.requirePositive(stopTimeout, "stopTimeout");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder backendShutdownTimeout(Duration timeout) {
            this.backendShutdownTimeout = Checks.requirePositive(timeout, "backendShutdownTimeout");
            return this;
        }

        /** @throws IllegalArgumentException if both a backend and local backend settings are given */
        public EngineConfig build() {
            if (backend != null && localBackend != null) {
                throw new IllegalArgumentException("localBackend settings apply to the engine's own local backend; "
                        + "a backend was given too: configure that backend instead");
            }
            return new EngineConfig(this);
        }
    }
}
