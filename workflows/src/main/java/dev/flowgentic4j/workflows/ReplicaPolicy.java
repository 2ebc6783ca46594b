package dev.flowgentic4j.workflows;

import dev.flowgentic4j.workflows.spi.Checks;
import java.time.Duration;

/**
 * How many instances (replicas) of a service run behind its one {@link ServiceFuture}, set with
 * {@link ServiceDefinition.Builder#replicas(int)} or {@link ServiceDefinition.Builder#replicas(int, int)}.
 * Calls go to the replica with the fewest calls in flight. With {@code min < max} the number is
 * autoscaled on the calls in flight: it goes up to {@code ceil(inFlight / targetInFlight)} once that
 * has stayed above the current number for {@code upscaleDelay}, and down once it has stayed below
 * for {@code downscaleDelay}; never below {@code min}, never above {@code max}, one scale action at
 * a time. A replica that ends FAILED is replaced by a fresh one, within {@link #replacement()}'s
 * budget. The defaults follow Ray Serve: a target of 2 calls in flight per replica
 * ({@code target_ongoing_requests}), 30 s up and 600 s down. Time is read from the engine's
 * {@link Ticker}. Immutable.
 *
 * <pre>{@code
 * ServiceDefinition.builder("embedder", Embedder::load)
 *     .replicas(ReplicaPolicy.autoscaling(1, 4).withTargetInFlight(4).withDelays(Duration.ofSeconds(10), Duration.ofMinutes(5)))
 *     .build();
 * }</pre>
 */
public final class ReplicaPolicy {
    /** Ray Serve's default {@code target_ongoing_requests}. */
    public static final double DEFAULT_TARGET_IN_FLIGHT = 2;
    /** Ray Serve's default {@code upscale_delay_s}. */
    public static final Duration DEFAULT_UPSCALE_DELAY = Duration.ofSeconds(30);
    /** Ray Serve's default {@code downscale_delay_s}. */
    public static final Duration DEFAULT_DOWNSCALE_DELAY = Duration.ofSeconds(600);

    /**
     * How replicas that end FAILED are replaced by default: at most 3 replacements within any
     * minute, each 1 s after the failure.
     */
    public static final RestartPolicy DEFAULT_REPLACEMENT =
            RestartPolicy.onFailure(3, Duration.ofMinutes(1), Duration.ofSeconds(1));

    private static final ReplicaPolicy SINGLE = new ReplicaPolicy(1, 1, DEFAULT_TARGET_IN_FLIGHT,
            DEFAULT_UPSCALE_DELAY, DEFAULT_DOWNSCALE_DELAY, DEFAULT_REPLACEMENT);

    private final int min;
    private final int max;
    private final double targetInFlight;
    private final Duration upscaleDelay;
    private final Duration downscaleDelay;
    private final RestartPolicy replacement;

    private ReplicaPolicy(int min, int max, double targetInFlight, Duration upscaleDelay, Duration downscaleDelay,
                          RestartPolicy replacement) {
        this.min = min;
        this.max = max;
        this.targetInFlight = targetInFlight;
        this.upscaleDelay = upscaleDelay;
        this.downscaleDelay = downscaleDelay;
        this.replacement = replacement;
    }

    /** One instance: what a definition gets by default. */
    public static ReplicaPolicy single() {
        return SINGLE;
    }

    /**
     * Exactly {@code n} replicas.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static ReplicaPolicy fixed(int n) {
        return autoscaling(n, n);
    }

    /**
     * Between {@code min} and {@code max} replicas, starting with {@code min}, with the default target and delays.
     *
     * @throws IllegalArgumentException if {@code min < 1} or {@code max < min}
     */
    public static ReplicaPolicy autoscaling(int min, int max) {
        if (min < 1) {
            throw new IllegalArgumentException("replicas min must be >= 1, was " + min);
        }
        if (max < min) {
            throw new IllegalArgumentException("replicas max must be >= min (" + min + "), was " + max);
        }
        return new ReplicaPolicy(min, max, DEFAULT_TARGET_IN_FLIGHT, DEFAULT_UPSCALE_DELAY, DEFAULT_DOWNSCALE_DELAY,
                DEFAULT_REPLACEMENT);
    }

    /**
     * The calls in flight per replica autoscaling aims at.
     *
     * @throws IllegalArgumentException if not a positive finite number
     */
    public ReplicaPolicy withTargetInFlight(double target) {
        if (!(target > 0) || Double.isInfinite(target)) {
            throw new IllegalArgumentException("targetInFlight must be a positive number, was " + target);
        }
        return new ReplicaPolicy(min, max, target, upscaleDelay, downscaleDelay, replacement);
    }

    /**
     * How long the load must stay above (below) what the current replicas serve at the target before
     * a scale-up (scale-down).
     *
     * @throws IllegalArgumentException if a delay is negative
     */
    public ReplicaPolicy withDelays(Duration upscaleDelay, Duration downscaleDelay) {
        return new ReplicaPolicy(min, max, targetInFlight, Checks.requireNonNegative(upscaleDelay, "upscaleDelay"),
                Checks.requireNonNegative(downscaleDelay, "downscaleDelay"), replacement);
    }

    /**
     * How a replica that ends FAILED (its start ran out of attempts, its restart budget is spent, or
     * it died and its {@code RestartPolicy} does not restart it) is replaced by a fresh replica: at
     * most {@code policy.maxRestarts()} replacements within any {@code policy.window()} (read on the
     * engine's {@link Ticker}), each {@code policy.backoff()} after the failure; past the budget the
     * replica stays FAILED, gets no calls, and the handle reports it. {@link RestartPolicy#never()}
     * turns replacement off. Default {@link #DEFAULT_REPLACEMENT}.
     *
     * <pre>{@code
     * ReplicaPolicy.fixed(3).withReplacement(RestartPolicy.onFailure(5, Duration.ofMinutes(10), Duration.ofSeconds(5)))
     * }</pre>
     *
     * @throws NullPointerException if {@code policy} is null
     */
    public ReplicaPolicy withReplacement(RestartPolicy policy) {
        return new ReplicaPolicy(min, max, targetInFlight, upscaleDelay, downscaleDelay,
                java.util.Objects.requireNonNull(policy, "policy"));
    }

    /** How replicas that end FAILED are replaced. */
    public RestartPolicy replacement() {
        return replacement;
    }

    public int min() {
        return min;
    }

    public int max() {
        return max;
    }

    public double targetInFlight() {
        return targetInFlight;
    }

    public Duration upscaleDelay() {
        return upscaleDelay;
    }

    public Duration downscaleDelay() {
        return downscaleDelay;
    }

    /** Whether the number of replicas changes with the load ({@code min < max}). */
    public boolean autoscales() {
        return min < max;
    }

    /** Whether more than one instance may run: anything but {@link #single()}. */
    public boolean replicated() {
        return max > 1;
    }

    /** The number of replicas wanted for {@code inFlight} calls in flight, within min..max. */
    public int desiredReplicas(int inFlight) {
        int wanted = (int) Math.ceil(inFlight / targetInFlight);
        return Math.max(min, Math.min(max, wanted));
    }

    @Override
    public String toString() {
        return min == max ? "replicas(" + min + ")"
                : "replicas(" + min + ".." + max + ", target " + targetInFlight + " in flight, up after "
                        + upscaleDelay + ", down after " + downscaleDelay + ")";
    }
}
