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
 * @param latency of the node and tool calls that used it (while telemetry metrics were on; for a
 *     replica, of the calls it served)
 * @param replicaOf for a replica, the id of the replicated handle it belongs to ({@code serviceId}
 *     is then the replica's own id, the {@code replica} of the call events it served); otherwise null
 */
public record ServiceMetrics(String service, String serviceId, ServiceState state, HealthStatus.State health,
                             int generation, Duration coldStart, Duration uptime, long restarts, long calls,
                             long errors, long refusedCalls, long inFlight, Latency latency, String replicaOf) {

    /**
     * The metrics of an instance that is not a replica.
     *
     * @throws NullPointerException never: components are not checked
     */
    public ServiceMetrics(String service, String serviceId, ServiceState state, HealthStatus.State health,
                          int generation, Duration coldStart, Duration uptime, long restarts, long calls, long errors,
                          long refusedCalls, long inFlight, Latency latency) {
        this(service, serviceId, state, health, generation, coldStart, uptime, restarts, calls, errors, refusedCalls,
                inFlight, latency, null);
    }

    /** Whether this instance is one replica of a replicated handle. */
    public boolean isReplica() {
        return replicaOf != null;
    }
}
