package dev.flowgentic4j.spring.actuate;

import dev.flowgentic4j.spring.FlowgenticServices;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.boot.health.contributor.Status;

/**
 * Adds the required services' indicators ({@code flowgentic4j/NAME}) to the {@code readiness} group,
 * whatever else the group holds. In that group a not-ready answer reads OUT_OF_SERVICE even when a
 * service's own indicator is DOWN (both answer 503): readiness says "send no traffic", not "restart me".
 */
final class ReadinessWithServices implements HealthEndpointGroupsPostProcessor {
    static final String READINESS = "readiness";
    static final String PREFIX = "flowgentic4j/";

    private final FlowgenticServices services;

    ReadinessWithServices(FlowgenticServices services) {
        this.services = services;
    }

    @Override
    public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
        HealthEndpointGroup readiness = groups.get(READINESS);
        if (readiness == null) {
            return groups;
        }
        Map<String, HealthEndpointGroup> additional = new LinkedHashMap<>();
        for (String name : groups.getNames()) {
            additional.put(name, name.equals(READINESS) ? new Group(readiness) : groups.get(name));
        }
        return HealthEndpointGroups.of(groups.getPrimary(), additional);
    }

    private final class Group implements HealthEndpointGroup {
        private final HealthEndpointGroup delegate;
        private final StatusAggregator aggregator;

        Group(HealthEndpointGroup delegate) {
            this.delegate = delegate;
            StatusAggregator inner = delegate.getStatusAggregator();
            this.aggregator = statuses -> {
                Status status = inner.getAggregateStatus(statuses);
                return status.equals(Status.DOWN) && statuses.contains(Status.OUT_OF_SERVICE)
                        ? Status.OUT_OF_SERVICE : status;
            };
        }

        @Override
        public boolean isMember(String name) {
            if (delegate.isMember(name)) {
                return true;
            }
            if (!name.startsWith(PREFIX)) {
                return false;
            }
            String service = name.substring(PREFIX.length());
            return services.names().contains(service) && services.isRequired(service) && !services.isLazy(service);
        }

        @Override
        public boolean showComponents(SecurityContext securityContext) {
            return delegate.showComponents(securityContext);
        }

        @Override
        public boolean showDetails(SecurityContext securityContext) {
            return delegate.showDetails(securityContext);
        }

        @Override
        public StatusAggregator getStatusAggregator() {
            return aggregator;
        }

        @Override
        public HttpCodeStatusMapper getHttpCodeStatusMapper() {
            return delegate.getHttpCodeStatusMapper();
        }

        @Override
        public @Nullable AdditionalHealthEndpointPath getAdditionalPath() {
            return delegate.getAdditionalPath();
        }
    }

}
