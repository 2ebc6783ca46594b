package dev.flowgentic4j.workflows;

import dev.flowgentic4j.workflows.spi.Checks;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * How a function task, or a service's start-up, is retried: attempts, exponential backoff with
 * jitter, a per-attempt timeout and which failures count. Immutable and thread-safe.
 *
 * <pre>{@code
 * RetryConfig retry = RetryConfig.builder()
 *     .maxAttempts(5)
 *     .baseDelay(Duration.ofMillis(100))
 *     .attemptTimeout(Duration.ofSeconds(2))
 *     .retryOn(IOException.class)
 *     .build();
 * }</pre>
 *
 * <p>The delay before attempt {@code n+1} is {@code min(maxDelay, baseDelay * 2^(n-1))}, moved at
 * random by up to {@code jitter} of itself in either direction. A timed-out attempt is interrupted,
 * and the next attempt starts only after it has really stopped; if it ignores the interrupt for
 * longer than {@link #cancelGrace()} the task fails instead of running a second copy beside it.
 */
public final class RetryConfig {
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(8);
    public static final double DEFAULT_JITTER = 0.25;
    public static final Duration DEFAULT_CANCEL_GRACE = Duration.ofSeconds(5);

    private static final RetryConfig DEFAULTS = builder().build();
    private static final RetryConfig NONE = builder().maxAttempts(1).build();

    private final int maxAttempts;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final double jitter;
    private final Duration attemptTimeout;
    private final Duration cancelGrace;
    private final Predicate<Throwable> retryOn;

    private RetryConfig(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.baseDelay = b.baseDelay;
        this.maxDelay = b.maxDelay;
        this.jitter = b.jitter;
        this.attemptTimeout = b.attemptTimeout;
        this.cancelGrace = b.cancelGrace;
        this.retryOn = b.retryOn;
    }

    /** 3 attempts, 0.5 s base delay, 8 s cap, 25% jitter, no per-attempt timeout, every exception retried. */
    public static RetryConfig ofDefaults() {
        return DEFAULTS;
    }

    /** One attempt, no retry. */
    public static RetryConfig noRetry() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxAttempts = maxAttempts;
        b.baseDelay = baseDelay;
        b.maxDelay = maxDelay;
        b.jitter = jitter;
        b.attemptTimeout = attemptTimeout;
        b.cancelGrace = cancelGrace;
        b.retryOn = retryOn;
        return b;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration baseDelay() {
        return baseDelay;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    public double jitter() {
        return jitter;
    }

    /** The time one attempt may take before it is interrupted; empty for no limit. */
    public Optional<Duration> attemptTimeout() {
        return Optional.ofNullable(attemptTimeout);
    }

    /** How long a timed-out attempt may take to stop after its interrupt. */
    public Duration cancelGrace() {
        return cancelGrace;
    }

    /** Whether {@code failure} of attempt {@code attempt} should be followed by another attempt. */
    public boolean shouldRetry(int attempt, Throwable failure) {
        return attempt < maxAttempts && !(failure instanceof InterruptedException) && retryOn.test(failure);
    }

    /** The backoff before the attempt after {@code failedAttempt} (1-based), jitter applied. */
    public Duration delayAfter(int failedAttempt) {
        if (failedAttempt < 1) {
            throw new IllegalArgumentException("failedAttempt must be >= 1, was " + failedAttempt);
        }
        double nanos = baseDelay.toNanos() * Math.pow(2, Math.min(failedAttempt - 1, 62));
        nanos = Math.min(nanos, maxDelay.toNanos());
        if (jitter > 0) {
            nanos *= 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        }
        return Duration.ofNanos((long) nanos);
    }

    @Override
    public String toString() {
        return "RetryConfig[maxAttempts=" + maxAttempts + ", baseDelay=" + baseDelay + ", maxDelay=" + maxDelay
                + ", jitter=" + jitter + ", attemptTimeout=" + attemptTimeout + ", cancelGrace=" + cancelGrace + "]";
    }

    /** Builds a {@link RetryConfig}; each setter checks its argument at once. */
    public static final class Builder {
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration baseDelay = DEFAULT_BASE_DELAY;
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private double jitter = DEFAULT_JITTER;
        private Duration attemptTimeout;
        private Duration cancelGrace = DEFAULT_CANCEL_GRACE;
        private Predicate<Throwable> retryOn = failure -> failure instanceof Exception;

        private Builder() {}

        /** @throws IllegalArgumentException if {@code maxAttempts < 1} */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** @throws IllegalArgumentException if negative */
        public Builder baseDelay(Duration baseDelay) {
            this.baseDelay = Checks.requireNonNegative(baseDelay, "baseDelay");
            return this;
        }

        /** @throws IllegalArgumentException if negative */
        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = Checks.requireNonNegative(maxDelay, "maxDelay");
            return this;
        }

        /** @throws IllegalArgumentException unless {@code 0 <= jitter < 1} */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0 && jitter < 1)) {
                throw new IllegalArgumentException("jitter must be in [0, 1), was " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder attemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = Checks.requirePositive(attemptTimeout, "attemptTimeout");
            return this;
        }

        /** @throws IllegalArgumentException if negative */
        public Builder cancelGrace(Duration cancelGrace) {
            this.cancelGrace = Checks.requireNonNegative(cancelGrace, "cancelGrace");
            return this;
        }

        /** Retries only failures that {@code predicate} accepts (interrupts are never retried). */
        public Builder retryOn(Predicate<Throwable> predicate) {
            this.retryOn = Objects.requireNonNull(predicate, "retryOn");
            return this;
        }

        /** Retries only failures that are instances of one of {@code types}. */
        @SafeVarargs
        public final Builder retryOn(Class<? extends Throwable>... types) {
            List<Class<? extends Throwable>> list = List.of(types);
            if (list.isEmpty()) {
                throw new IllegalArgumentException("retryOn needs at least one exception type");
            }
            return retryOn(failure -> list.stream().anyMatch(type -> type.isInstance(failure)));
        }

        /** @throws IllegalArgumentException if {@code maxDelay < baseDelay} */
        public RetryConfig build() {
            if (maxDelay.compareTo(baseDelay) < 0) {
                throw new IllegalArgumentException("maxDelay (" + maxDelay + ") must not be less than baseDelay ("
                        + baseDelay + ")");
            }
            return new RetryConfig(this);
        }
    }
}
