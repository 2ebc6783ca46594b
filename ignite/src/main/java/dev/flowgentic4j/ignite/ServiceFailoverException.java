package dev.flowgentic4j.ignite;

import dev.flowgentic4j.workflows.FlowgenticException;

/**
 * A call into an Ignite service failed because its host left the cluster (or the service was
 * between hosts), on every attempt its retry policy allowed (see {@link IgniteBackendConfig#callRetry()}). The cause is the last
 * topology failure Ignite reported.
 */
public class ServiceFailoverException extends FlowgenticException {
    private static final long serialVersionUID = 1L;
    private final String service;
    private final int attempts;

    public ServiceFailoverException(String service, int attempts, Throwable cause) {
        super("call to Ignite service '" + service + "' failed after " + attempts + " attempt(s): its host left "
                + "the cluster and it was not back in time (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")", cause);
        this.service = service;
        this.attempts = attempts;
    }

    /** The Ignite service name of the instance. */
    public String service() {
        return service;
    }

    public int attempts() {
        return attempts;
    }
}
