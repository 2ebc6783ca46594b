package dev.flowgentic4j.workflows.telemetry;

import java.time.Duration;

/**
 * Latency percentiles of a series of calls (each within about 3% of the true value).
 *
 * @param count calls measured
 */
public record Latency(long count, Duration p50, Duration p95, Duration p99, Duration max) {
    public static final Latency NONE = new Latency(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
}
