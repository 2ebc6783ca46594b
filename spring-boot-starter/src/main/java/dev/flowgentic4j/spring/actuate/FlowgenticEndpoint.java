package dev.flowgentic4j.spring.actuate;

import dev.flowgentic4j.spring.FlowgenticServices;
import dev.flowgentic4j.spring.FlowgenticServices.ServiceInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/flowgentic4j}: the services (state, generation, uptime, calls, restarts); a POST
 * to {@code /actuator/flowgentic4j/NAME} restarts one. Read-only by default, like every Actuator write
 * operation it must be allowed: {@code management.endpoint.flowgentic4j.access=unrestricted} (and
 * exposed: {@code management.endpoints.web.exposure.include=...,flowgentic4j}).
 */
@Endpoint(id = "flowgentic4j", defaultAccess = Access.READ_ONLY)
public final class FlowgenticEndpoint {
    private final FlowgenticServices services;

    public FlowgenticEndpoint(FlowgenticServices services) {
        this.services = services;
    }

    /** Every service, by name. */
    @ReadOperation
    public Map<String, Object> services() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : services.names()) {
            out.put(name, describe(services.info(name)));
        }
        return Map.of("services", out);
    }

    /** One service. */
    @ReadOperation
    public Map<String, Object> service(@Selector String name) {
        return describe(services.info(name));
    }

    /** Restarts the service behind the same handle ({@link FlowgenticServices#restart}); answers with its new state. */
    @WriteOperation
    public Map<String, Object> restart(@Selector String name) {
        services.restart(name);
        return describe(services.info(name));
    }

    private static Map<String, Object> describe(ServiceInfo i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", i.name());
        m.put("id", i.id());
        m.put("state", i.state().name());
        m.put("health", i.health().name());
        m.put("generation", i.generation());
        m.put("uptimeMillis", i.uptime().toMillis());
        m.put("calls", i.calls());
        m.put("failedCalls", i.failedCalls());
        m.put("inFlightCalls", i.inFlightCalls());
        m.put("restarts", i.restarts());
        m.put("required", i.required());
        m.put("lazy", i.lazy());
        m.put("restarting", i.restarting());
        return m;
    }
}
