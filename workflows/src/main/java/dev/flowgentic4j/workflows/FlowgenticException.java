package dev.flowgentic4j.workflows;

/** The root of every exception this library throws on its own account. Unchecked. */
public class FlowgenticException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FlowgenticException(String message) {
        super(message);
    }

    public FlowgenticException(String message, Throwable cause) {
        super(message, cause);
    }
}
