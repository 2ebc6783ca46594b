package dev.flowgentic4j.workflows;

/**
 * A call was in flight on an instance of a service when that instance died (its death signal, see
 * {@link ServiceDefinition.Builder#diesWhen}, completed, or a call failed with an exception the
 * definition's {@link ServiceDefinition.Builder#deadOn} predicate matches), and it failed. The
 * message names the service, the generation that died, the cause of death and why the call was not
 * run again: it was not declared idempotent ({@link ServiceDefinition.Builder#idempotentCalls()},
 * {@link ServiceCall#idempotent}), or it was and its one retry failed too. The cause is what the
 * call threw on the dead instance. A {@link ServiceCallException}, so code that catches failed
 * calls catches it too.
 */
public class InstanceDiedException extends ServiceCallException {
    private static final long serialVersionUID = 1L;
    /** The longest cause of death kept in a message; longer ones are cut. */
    public static final int MAX_CAUSE_LENGTH = 200;

    private final int generation;
    private final String causeOfDeath;

    /**
     * @param serviceId the id of the service instance ({@code name#n})
     * @param generation the generation that died
     * @param causeOfDeath what killed it (cut to {@link #MAX_CAUSE_LENGTH} characters)
     * @param detail what became of the call (not retried, and why; or its retry's outcome)
     * @param cause what the call threw on the dead instance
     */
    public InstanceDiedException(String serviceId, int generation, String causeOfDeath, String detail,
                                 Throwable cause) {
        super(serviceId, "call to service '" + serviceId + "' failed: its instance (generation " + generation
                + ") died (" + bound(causeOfDeath) + ")" + (detail == null || detail.isEmpty() ? "" : "; " + detail),
                cause);
        this.generation = generation;
        this.causeOfDeath = bound(causeOfDeath);
    }

    /** {@code text} cut to {@link #MAX_CAUSE_LENGTH} characters (with an ellipsis), never null. */
    public static String bound(String text) {
        if (text == null) {
            return "unknown cause";
        }
        return text.length() <= MAX_CAUSE_LENGTH ? text : text.substring(0, MAX_CAUSE_LENGTH - 3) + "...";
    }

    /** The generation whose instance died. */
    public int generation() {
        return generation;
    }

    /** What killed the instance, at most {@link #MAX_CAUSE_LENGTH} characters. */
    public String causeOfDeath() {
        return causeOfDeath;
    }
}
