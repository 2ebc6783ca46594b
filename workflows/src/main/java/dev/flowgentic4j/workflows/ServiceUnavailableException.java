package dev.flowgentic4j.workflows;

/** A call needed a RUNNING service and found it in another state (failed, stopped, still starting). */
public class ServiceUnavailableException extends FlowgenticException {
    private static final long serialVersionUID = 1L;
    private final String serviceId;
    private final ServiceState state;

    public ServiceUnavailableException(String serviceId, ServiceState state, String detail, Throwable cause) {
        super("service '" + serviceId + "' is " + state + ", expected RUNNING" + (detail == null ? "" : " (" + detail + ")"),
                cause);
        this.serviceId = serviceId;
        this.state = state;
    }

    /** The id of the service instance ({@code name#n}). */
    public String serviceId() {
        return serviceId;
    }

    /** The state the service was in. */
    public ServiceState state() {
        return state;
    }
}
