package dev.flowgentic4j.workflows.telemetry;

import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.ServiceState;
import java.time.Duration;

/**
 * Metrics of one service instance.
 *
 * @param coldStart how long its (last) cold start took; zero before RUNNING
 * @param uptime how long the live generation has been up
 * @param restarts supervised restarts that completed
 * @param calls calls through the handle, successful, failed or refused
 * @param errors calls through the handle that threw, refused ones included
 * @param refusedCalls calls refused without reaching the instance (busy or unavailable)
 * @param inFlight calls inside the service right now
 * @param latency of the node and tool calls that used it (while telemetry metrics were on)
 */
public record ServiceMetrics(String service, String serviceId, ServiceState state, HealthStatus.State health,
                             int generation, Duration coldStart, Duration uptime, long restarts, long calls,
                             long errors, long refusedCalls, long inFlight, Latency latency) {}
