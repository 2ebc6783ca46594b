package dev.flowgentic4j.workflows.telemetry.micrometer;

import dev.flowgentic4j.workflows.telemetry.FlowMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/**
 * The health endpoint's {@code /metrics}: a Prometheus registry bound to the engine's metrics.
 * Loaded only when {@code micrometer-registry-prometheus} is on the class path (the endpoint checks first).
 */
public final class PrometheusScrape {
    private PrometheusScrape() {}

    /** A scrape of {@code metrics} in Prometheus text format, at every {@code get()}. */
    public static Supplier<String> of(FlowMetrics metrics) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new FlowMeterBinder(metrics).bindTo(registry);
        return registry::scrape;
    }
}
