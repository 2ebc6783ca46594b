package dev.flowgentic4j.workflows.telemetry;

import java.util.List;
import java.util.Optional;

/** The metrics of an engine at one moment: every service instance and every observed task, node and tool. */
public record MetricsSnapshot(List<ServiceMetrics> services, List<CallMetrics> calls) {
    public MetricsSnapshot {
        services = List.copyOf(services);
        calls = List.copyOf(calls);
    }

    /** The metrics of the service instance {@code serviceId}. */
    public Optional<ServiceMetrics> service(String serviceId) {
        return services.stream().filter(s -> s.serviceId().equals(serviceId)).findFirst();
    }

    /** The metrics of the task, node or tool {@code name} of that kind. */
    public Optional<CallMetrics> call(CallEvent.Kind kind, String name) {
        return calls.stream().filter(c -> c.kind() == kind && c.name().equals(name)).findFirst();
    }
}
