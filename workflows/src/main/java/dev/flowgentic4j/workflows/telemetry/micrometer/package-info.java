/**
 * The bridge to Micrometer, an optional dependency: {@link dev.flowgentic4j.workflows.telemetry.micrometer.FlowMeterBinder}
 * registers the engine's service and call metrics on an application's {@code MeterRegistry}, and
 * {@code PrometheusScrape} serves them in Prometheus' text format on the health endpoint's
 * {@code /metrics}. Nothing else in the engine loads a Micrometer class.
 */
package dev.flowgentic4j.workflows.telemetry.micrometer;
