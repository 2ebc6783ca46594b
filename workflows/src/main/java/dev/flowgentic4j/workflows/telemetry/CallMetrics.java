package dev.flowgentic4j.workflows.telemetry;

import dev.flowgentic4j.workflows.FlowType;

/**
 * Metrics of one task, node or tool.
 *
 * @param calls calls that ended
 * @param errors calls that ended with a failure, refused ones included
 * @param refused calls refused before they reached a service (busy or unavailable)
 * @param retries attempts beyond the first, over all calls
 * @param inFlight calls started and not ended
 */
public record CallMetrics(CallEvent.Kind kind, String name, FlowType flowType, long calls, long errors, long refused,
                          long retries,
                          long inFlight, Latency latency) {}
