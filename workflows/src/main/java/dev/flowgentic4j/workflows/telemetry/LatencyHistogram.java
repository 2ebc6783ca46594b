package dev.flowgentic4j.workflows.telemetry;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free latency histogram with log-linear buckets (32 per power of two, so a percentile is
 * within about 3% of the true value), from 1 ns to about 292 years. Thread-safe.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = SUB + (63 - SUB_BITS) * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    void record(long nanos) {
        long v = Math.max(0, nanos);
        counts.incrementAndGet(index(v));
        total.incrementAndGet();
        max.accumulateAndGet(v, Math::max);
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(v);            // >= SUB_BITS
        int sub = (int) ((v >>> (exponent - SUB_BITS)) & (SUB - 1));
        return SUB + (exponent - SUB_BITS) * SUB + sub;
    }

    /** The middle of bucket {@code index}. */
    static long value(int index) {
        if (index < SUB) {
            return index;
        }
        int shift = (index - SUB) / SUB;
        long lower = (long) (SUB + (index - SUB) % SUB) << shift;
        return lower + ((1L << shift) - 1) / 2;
    }

    long count() {
        return total.get();
    }

    /** The {@code q} quantile (0 &lt; q &le; 1), never above the largest value recorded; zero when empty. */
    Duration percentile(double q) {
        long n = total.get();
        if (n == 0) {
            return Duration.ZERO;
        }
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Duration.ofNanos(Math.min(value(i), max.get()));
            }
        }
        return Duration.ofNanos(max.get());
    }

    Latency summary() {
        return new Latency(count(), percentile(0.50), percentile(0.95), percentile(0.99), Duration.ofNanos(max.get()));
    }
}
