/**
 * The engine's telemetry: a typed event stream ({@link dev.flowgentic4j.workflows.telemetry.ServiceEvent}s
 * from every service's state machine, {@link dev.flowgentic4j.workflows.telemetry.CallEvent}s for task,
 * node and tool calls) published by {@link dev.flowgentic4j.workflows.telemetry.Telemetry}, metrics built
 * from it ({@link dev.flowgentic4j.workflows.telemetry.FlowMetrics}), a recorder for tests and reports, and
 * the health endpoint on 127.0.0.1. Modules instrument their own calls with
 * {@code Telemetry.beginCall}; creating a telemetry and following services is the engine's alone. With no
 * subscriber the call path reads one volatile field and publishes nothing.
 */
package dev.flowgentic4j.workflows.telemetry;
