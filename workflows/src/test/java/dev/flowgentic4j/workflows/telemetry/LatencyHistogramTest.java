package dev.flowgentic4j.workflows.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void percentiles_are_within_three_percent_of_the_true_values() {
        LatencyHistogram histogram = new LatencyHistogram();
        LongStream.rangeClosed(1, 100_000).forEach(i -> histogram.record(i * 1_000)); // 1 us .. 100 ms, uniform

        assertThat(histogram.count()).isEqualTo(100_000);
        assertClose(histogram.percentile(0.50), 50_000_000);
        assertClose(histogram.percentile(0.95), 95_000_000);
        assertClose(histogram.percentile(0.99), 99_000_000);
        assertThat(histogram.summary().max()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void an_empty_histogram_reports_zero_and_a_single_value_reports_itself() {
        LatencyHistogram histogram = new LatencyHistogram();
        assertThat(histogram.percentile(0.99)).isEqualTo(Duration.ZERO);
        histogram.record(7);
        assertThat(histogram.percentile(0.5)).isEqualTo(Duration.ofNanos(7));
    }

    @Test
    void every_value_falls_in_a_bucket_whose_middle_is_close_to_it() {
        for (long v : new long[] {0, 1, 31, 32, 33, 1_000, 123_456_789, Long.MAX_VALUE / 2, Long.MAX_VALUE}) {
            long middle = LatencyHistogram.value(LatencyHistogram.index(v));
            assertThat((double) Math.abs(middle - v)).isLessThanOrEqualTo(Math.max(1, v * 0.032));
        }
    }

    private static void assertClose(Duration actual, long expectedNanos) {
        assertThat((double) actual.toNanos()).isBetween(expectedNanos * 0.97, expectedNanos * 1.03);
    }
}
