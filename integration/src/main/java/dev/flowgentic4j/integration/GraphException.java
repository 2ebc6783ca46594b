package dev.flowgentic4j.integration;

import dev.flowgentic4j.workflows.FlowgenticException;

/** LangGraph4j rejected a graph definition (its checked {@code GraphStateException}, kept as the cause). */
public class GraphException extends FlowgenticException {
    private static final long serialVersionUID = 1L;

    public GraphException(String message, Throwable cause) {
        super(message, cause);
    }
}
