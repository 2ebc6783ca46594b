package dev.flowgentic4j.workflows;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything needed to run a service: its name, its cold start, how it stops, how start-up is
 * retried and how long a stop may take. Immutable.
 *
 * <pre>{@code
 * ServiceDefinition<Integer, SimpleServer> def = ServiceDefinition
 *     .builder("start_server", (Integer port) -> SimpleServer.start("127.0.0.1", port))
 *     .stop(SimpleServer::shutdown)
 *     .retry(RetryConfig.builder().attemptTimeout(Duration.ofSeconds(5)).build())
 *     .stopTimeout(Duration.ofSeconds(2))
 *     .build();
 * }</pre>
 */
public final class ServiceDefinition<A, S> {
    private final String name;
    private final ServiceInitializer<A, S> initializer;
    private final ServiceStopper<? super S> stopper;
    private final RetryConfig retry;
    private final Duration stopTimeout;

    private ServiceDefinition(Builder<A, S> b) {
        this.name = b.name;
        this.initializer = b.initializer;
        this.stopper = b.stopper;
        this.retry = b.retry;
        this.stopTimeout = b.stopTimeout;
    }

    /**
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <A, S> Builder<A, S> builder(String name, ServiceInitializer<A, S> initializer) {
        return new Builder<>(name, initializer);
    }

    public String name() {
        return name;
    }

    public ServiceInitializer<A, S> initializer() {
        return initializer;
    }

    /** The stop function, if one was given; otherwise an {@link AutoCloseable} instance is closed. */
    public Optional<ServiceStopper<? super S>> stopper() {
        return Optional.ofNullable(stopper);
    }

    /** The start-up retry policy; empty means the integration's default. */
    public Optional<RetryConfig> retry() {
        return Optional.ofNullable(retry);
    }

    /** How long a stop may take; empty means the integration's default. */
    public Optional<Duration> stopTimeout() {
        return Optional.ofNullable(stopTimeout);
    }

    /** Builds a {@link ServiceDefinition}; each setter checks its argument at once. */
    public static final class Builder<A, S> {
        private final String name;
        private final ServiceInitializer<A, S> initializer;
        private ServiceStopper<? super S> stopper;
        private RetryConfig retry;
        private Duration stopTimeout;

        private Builder(String name, ServiceInitializer<A, S> initializer) {
            this.name = Checks.requireName(name, "name");
            this.initializer = Objects.requireNonNull(initializer, "initializer");
        }

        /** The stop action run once when the service stops (instead of {@code close()}). */
        public Builder<A, S> stop(ServiceStopper<? super S> stopper) {
            this.stopper = Objects.requireNonNull(stopper, "stopper");
            return this;
        }

        /** How start-up is retried and how long one attempt may take. */
        public Builder<A, S> retry(RetryConfig retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder<A, S> stopTimeout(Duration stopTimeout) {
            this.stopTimeout = Checks.requirePositive(stopTimeout, "stopTimeout");
            return this;
        }

        public ServiceDefinition<A, S> build() {
            return new ServiceDefinition<>(this);
        }
    }
}
