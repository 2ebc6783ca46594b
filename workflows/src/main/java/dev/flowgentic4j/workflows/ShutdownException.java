package dev.flowgentic4j.workflows;

import java.util.List;

/**
 * Some services did not stop cleanly. The message names each offender; each cause is a suppressed
 * exception. The other services were stopped all the same.
 */
public class ShutdownException extends FlowgenticException {
    private static final long serialVersionUID = 1L;
    private final List<String> offenders;

    public ShutdownException(List<String> offenders, List<Throwable> causes) {
        super("could not stop cleanly: " + String.join(", ", offenders));
        this.offenders = List.copyOf(offenders);
        causes.forEach(this::addSuppressed);
    }

    /** One line per service that failed to stop, naming it and what went wrong. */
    public List<String> offenders() {
        return offenders;
    }
}
