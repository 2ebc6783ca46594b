package dev.flowgentic4j.workflows;

/**
 * The lifecycle of one service instance. Constants are ordered so that every legal transition
 * moves forward: NEW &rarr; STARTING &rarr; RUNNING &rarr; STOPPING &rarr; TERMINATED, and any
 * non-terminal state may move to FAILED. TERMINATED and FAILED are terminal.
 */
public enum ServiceState {
    NEW,
    STARTING,
    RUNNING,
    STOPPING,
    TERMINATED,
    FAILED;

    /** Whether no further transition can happen. */
    public boolean isTerminal() {
        return this == TERMINATED || this == FAILED;
    }
}
