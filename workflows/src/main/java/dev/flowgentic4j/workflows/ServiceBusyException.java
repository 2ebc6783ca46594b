package dev.flowgentic4j.workflows;

/** A call waited for a free slot under the service's concurrency limit and none came in time. */
public class ServiceBusyException extends FlowgenticException {
    private static final long serialVersionUID = 1L;
    private final String serviceId;

    public ServiceBusyException(String serviceId, int limit, java.time.Duration waited) {
        super("service '" + serviceId + "' is busy: " + limit + " concurrent calls already in flight, waited " + waited
                + " for a free slot");
        this.serviceId = serviceId;
    }

    public String serviceId() {
        return serviceId;
    }
}
