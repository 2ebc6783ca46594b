package dev.flowgentic4j.workflows;

import dev.flowgentic4j.workflows.spi.Checks;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

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
    private final ReadinessCheck<? super S> readiness;
    private final HealthConfig<S> health;
    private final RestartPolicy restartPolicy;
    private final int maxConcurrentCalls;
    private final Duration callWaitTimeout;
    private final ReplicaPolicy replicas;
    private final boolean singleInstance;
    private final Function<? super S, ? extends CompletionStage<?>> diesWhen;
    private final Predicate<? super Throwable> deadOn;
    private final boolean idempotentCalls;

    private ServiceDefinition(Builder<A, S> b) {
        this.name = b.name;
        this.initializer = b.initializer;
        this.stopper = b.stopper;
        this.retry = b.retry;
        this.stopTimeout = b.stopTimeout;
        this.readiness = b.readiness;
        this.health = b.health;
        this.restartPolicy = b.restartPolicy;
        this.maxConcurrentCalls = b.maxConcurrentCalls;
        this.callWaitTimeout = b.callWaitTimeout;
        this.replicas = b.replicas;
        this.singleInstance = b.singleInstance;
        this.diesWhen = b.diesWhen;
        this.deadOn = b.deadOn;
        this.idempotentCalls = b.idempotentCalls;
    }

    /**
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <A, S> Builder<A, S> builder(String name, ServiceInitializer<A, S> initializer) {
        return new Builder<>(name, initializer);
    }

    /**
     * A definition whose cold start takes no argument; its tasks are started with
     * {@link ServiceTask#start()}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <S> Builder<Void, S> builder(String name, ServiceFactory<S> factory) {
        return new Builder<>(name, java.util.Objects.requireNonNull(factory, "factory").asInitializer());
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

    /** The check a new instance must pass before it is RUNNING, if any. */
    public Optional<ReadinessCheck<? super S>> readiness() {
        return Optional.ofNullable(readiness);
    }

    /** The periodic health check, if any. */
    public Optional<HealthConfig<S>> health() {
        return Optional.ofNullable(health);
    }

    /** What happens when the service turns unhealthy; {@link RestartPolicy#never()} by default. */
    public RestartPolicy restartPolicy() {
        return restartPolicy;
    }

    /** The most calls through {@link ServiceFuture#call} at once; 0 means no limit. */
    public int maxConcurrentCalls() {
        return maxConcurrentCalls;
    }

    /** How long a call over the limit waits for a free slot. */
    public Duration callWaitTimeout() {
        return callWaitTimeout;
    }

    /** How many instances run behind one handle; {@link ReplicaPolicy#single()} by default. */
    public ReplicaPolicy replicas() {
        return replicas;
    }

    /**
     * Whether at most one instance of this service may be alive at a time (it binds a fixed port,
     * holds an exclusive lock, a licence allows one): {@link ServiceFuture#restart()} and
     * {@link ServiceFuture#update} then stop the live instance first and cold-start the next one
     * after it, calls meanwhile waiting for it within their own timeout. False by default (blue/green).
     */
    public boolean singleInstance() {
        return singleInstance;
    }

    /**
     * The death signal of each new instance, if one was declared: see {@link Builder#diesWhen}.
     */
    public Optional<Function<? super S, ? extends CompletionStage<?>>> diesWhen() {
        return Optional.ofNullable(diesWhen);
    }

    /** Which call failures mean the instance is dead, if declared: see {@link Builder#deadOn}. */
    public Optional<Predicate<? super Throwable>> deadOn() {
        return Optional.ofNullable(deadOn);
    }

    /**
     * Whether every call through the handle may run twice: see {@link Builder#idempotentCalls()}.
     * False by default.
     */
    public boolean idempotentCalls() {
        return idempotentCalls;
    }

    /** Builds a {@link ServiceDefinition}; each setter checks its argument at once. */
    public static final class Builder<A, S> {
        private final String name;
        private final ServiceInitializer<A, S> initializer;
        private ServiceStopper<? super S> stopper;
        private RetryConfig retry;
        private Duration stopTimeout;
        private ReadinessCheck<? super S> readiness;
        private HealthConfig<S> health;
        private RestartPolicy restartPolicy = RestartPolicy.never();
        private int maxConcurrentCalls;
        private Duration callWaitTimeout = Duration.ZERO;
        private ReplicaPolicy replicas = ReplicaPolicy.single();
        private boolean singleInstance;
        private Function<? super S, ? extends CompletionStage<?>> diesWhen;
        private Predicate<? super Throwable> deadOn;
        private boolean idempotentCalls;

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

        /** A check each new instance must pass, within the start attempt's timeout, before it is RUNNING. */
        public Builder<A, S> readiness(ReadinessCheck<? super S> readiness) {
            this.readiness = Objects.requireNonNull(readiness, "readiness");
            return this;
        }

        /** A health check run at an interval while the service is RUNNING. */
        public Builder<A, S> health(HealthConfig<S> health) {
            this.health = Objects.requireNonNull(health, "health");
            return this;
        }

        /**
         * Restarts the service when its health check fails or its instance dies; needs {@link #health},
         * {@link #diesWhen} or {@link #deadOn}.
         */
        public Builder<A, S> restartPolicy(RestartPolicy restartPolicy) {
            this.restartPolicy = Objects.requireNonNull(restartPolicy, "restartPolicy");
            return this;
        }

        /**
         * At most {@code max} calls through {@link ServiceFuture#call} at once; others wait up to
         * {@code waitTimeout} for a slot, then fail with {@link ServiceBusyException}.
         *
         * @throws IllegalArgumentException if {@code max < 1} or {@code waitTimeout} is negative
         */
        public Builder<A, S> maxConcurrentCalls(int max, Duration waitTimeout) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConcurrentCalls must be >= 1, was " + max);
            }
            this.callWaitTimeout = Checks.requireNonNegative(waitTimeout, "waitTimeout");
            this.maxConcurrentCalls = max;
            return this;
        }

        /**
         * Runs {@code n} instances behind the one {@link ServiceFuture} each start returns; calls go to
         * the replica with the fewest calls in flight, and {@link #maxConcurrentCalls} applies per replica.
         * A replica that ends FAILED is replaced by a fresh one within {@link ReplicaPolicy#replacement()}'s budget.
         *
         * @throws IllegalArgumentException if {@code n < 1}
         */
        public Builder<A, S> replicas(int n) {
            return replicas(ReplicaPolicy.fixed(n));
        }

        /**
         * Autoscales between {@code min} and {@code max} replicas on the calls in flight, with
         * {@link ReplicaPolicy}'s defaults (Ray Serve's): a target of 2 per replica, 30 s up, 600 s down.
         *
         * @throws IllegalArgumentException if {@code min < 1} or {@code max < min}
         */
        public Builder<A, S> replicas(int min, int max) {
            return replicas(ReplicaPolicy.autoscaling(min, max));
        }

        /** How many replicas run behind one handle, and how their number follows the load. */
        public Builder<A, S> replicas(ReplicaPolicy replicas) {
            this.replicas = Objects.requireNonNull(replicas, "replicas");
            return this;
        }

        /**
         * Declares that two instances of this service must never be alive at once (a fixed port, an
         * exclusive lock, a licence for one): planned replacements ({@code restart()}, {@code update})
         * become stop-then-start instead of blue/green. Calls made while the next instance starts wait
         * for it within their own timeout instead of failing; a call whose timeout is shorter than the
         * cold start fails with a {@link ServiceUnavailableException} saying so. Cannot be combined with
         * more than one replica.
         */
        public Builder<A, S> singleInstance() {
            this.singleInstance = true;
            return this;
        }

        /**
         * How to hear that an instance died (its process exited, its connection closed): for each new
         * instance, once it is ready, {@code signal} returns a stage that completes, normally or not,
         * when that instance is dead. The engine then stops routing calls to it at once: calls in
         * flight on it fail with {@link InstanceDiedException} (or are retried once if idempotent),
         * calls arriving wait for the next generation within their own timeout, and the next
         * generation is cold-started at once under the {@link #restartPolicy} (with
         * {@link RestartPolicy#never()}, the default, the service becomes FAILED naming the death).
         * The dead instance is still stopped (its stop action runs, within the stop timeout).
         * A stage that completes after the engine stopped or replaced the instance itself is ignored.
         * A {@code signal} that throws or returns null fails that start attempt (retried like any).
         *
         * <pre>{@code
         * ServiceDefinition.builder("worker", () -> Worker.spawn())   // wraps a child process
         *     .diesWhen(worker -> worker.process().onExit())
         *     .restartPolicy(RestartPolicy.onFailure(3, Duration.ofMinutes(1), Duration.ZERO))
         *     .build();
         * }</pre>
         *
         * @throws NullPointerException if {@code signal} is null
         */
        public Builder<A, S> diesWhen(Function<? super S, ? extends CompletionStage<?>> signal) {
            this.diesWhen = Objects.requireNonNull(signal, "signal");
            return this;
        }

        /**
         * Which call failures mean the instance is dead: a call that throws an exception matching
         * {@code dead} (itself or one of its causes, up to 8 deep) marks the generation it ran on as
         * dead, with the same consequences as {@link #diesWhen}; that call counts as in flight at the
         * death. Use it for deaths a call sees before any signal does (a connection reset).
         *
         * <pre>{@code
         * builder.deadOn(e -> e instanceof java.net.SocketException || e instanceof java.io.EOFException)
         * }</pre>
         *
         * @throws NullPointerException if {@code dead} is null
         */
        public Builder<A, S> deadOn(Predicate<? super Throwable> dead) {
            this.deadOn = Objects.requireNonNull(dead, "dead");
            return this;
        }

        /**
         * Declares every call through the handle safe to run twice (a read, a lookup, an idempotent
         * write): a call in flight on an instance that dies is retried once on the next generation
         * (waiting for it within the call's own timeout) or on another live replica, instead of failing
         * with {@link InstanceDiedException}. For single calls, see {@link ServiceCall#idempotent}.
         */
        public Builder<A, S> idempotentCalls() {
            this.idempotentCalls = true;
            return this;
        }

        /**
         * @throws IllegalArgumentException if a restart policy is set without a health check or a
         *     death signal ({@link #diesWhen}, {@link #deadOn}), or a
         *     single-instance service asks for more than one replica
         */
        public ServiceDefinition<A, S> build() {
            if (singleInstance && replicas.max() > 1) {
                throw new IllegalArgumentException("service '" + name + "' is singleInstance() but asks for up to "
                        + replicas.max() + " replicas; a single-instance service runs one");
            }
            if (restartPolicy.restarts() && health == null && diesWhen == null && deadOn == null) {
                throw new IllegalArgumentException("restartPolicy of service '" + name
                        + "' needs a health check to notice failures; set health(...)"
                        + " (or diesWhen(...)/deadOn(...) to notice deaths)");
            }
            return new ServiceDefinition<>(this);
        }
    }
}
