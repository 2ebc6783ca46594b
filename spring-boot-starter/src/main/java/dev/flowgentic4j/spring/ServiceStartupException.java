package dev.flowgentic4j.spring;

import dev.flowgentic4j.workflows.FlowgenticException;

/** A required service did not reach RUNNING while the application context started; carries the cause. */
public class ServiceStartupException extends FlowgenticException {
    private static final long serialVersionUID = 1L;

    public ServiceStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
