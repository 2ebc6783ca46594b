package dev.flowgentic4j.workflows;

/** A service could not start (after its retries) or failed while running; names the service, keeps the cause. */
public class ServiceFailedException extends FlowgenticException {
    private static final long serialVersionUID = 1L;
    private final String serviceId;

    public ServiceFailedException(String serviceId, String what, Throwable cause) {
        super("service '" + serviceId + "' " + what + ": " + TaskFailedException.describe(cause), cause);
        this.serviceId = serviceId;
    }

    /** The id of the service instance ({@code name#n}). */
    public String serviceId() {
        return serviceId;
    }
}
