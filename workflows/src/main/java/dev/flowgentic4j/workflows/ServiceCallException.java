package dev.flowgentic4j.workflows;

/**
 * A checked exception thrown inside {@link ServiceFuture#call}: the cause is exactly what the call
 * threw; the message names the service. Runtime exceptions and errors thrown by a call pass
 * through unwrapped.
 */
public class ServiceCallException extends FlowgenticException {
    private static final long serialVersionUID = 1L;
    private final String serviceId;

    public ServiceCallException(String serviceId, Exception cause) {
        super("call to service '" + serviceId + "' failed: " + TaskFailedException.describe(cause), cause);
        this.serviceId = serviceId;
    }

    /** For subclasses: a call that failed for a reason they describe in {@code message}. */
    protected ServiceCallException(String serviceId, String message, Throwable cause) {
        super(message, cause);
        this.serviceId = serviceId;
    }

    /** The id of the service instance ({@code name#n}). */
    public String serviceId() {
        return serviceId;
    }
}
