package dev.flowgentic4j.workflows;

import java.time.Duration;

/**
 * A call that was still on a replaced generation of a service when that generation was stopped at
 * its drain deadline (half the service's stop timeout): the instance was stopped under the call,
 * so whatever the call returned or threw afterwards is not trusted. What it threw, if anything, is
 * the cause. The call did reach the instance: it counts as failed, not as refused.
 */
public class CallAbandonedException extends FlowgenticException {
    private static final long serialVersionUID = 1L;
    private final String serviceId;
    private final Duration drainDeadline;

    public CallAbandonedException(String serviceId, Duration drainDeadline, Throwable cause) {
        super("call to service '" + serviceId + "' was still on a replaced generation when it was stopped at its drain"
                + " deadline of " + drainDeadline + " (half the stop timeout); the call's outcome is discarded"
                + (cause == null ? "" : ": it threw " + TaskFailedException.describe(cause)), cause);
        this.serviceId = serviceId;
        this.drainDeadline = drainDeadline;
    }

    /** The id of the service instance ({@code name#n}). */
    public String serviceId() {
        return serviceId;
    }

    /** The drain deadline that passed with the call still on its generation. */
    public Duration drainDeadline() {
        return drainDeadline;
    }
}
