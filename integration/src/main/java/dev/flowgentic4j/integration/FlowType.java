package dev.flowgentic4j.integration;

/** The kinds of work the execution wrappers produce (the seed's {@code AsyncFlowType}). */
public enum FlowType {
    /** A task: each call runs the function on the backend and completes with its result. */
    FUNCTION_TASK,
    /** A persistent service: {@code start} returns a handle at once; the handle yields the live instance. */
    SERVICE_TASK,
    /** langchain4j tools whose every call runs as a FUNCTION_TASK. */
    AGENT_TOOL_AS_FUNCTION,
    /** langchain4j tools that call the same persistent instance behind a service handle. */
    AGENT_TOOL_AS_SERVICE,
    /** A LangGraph4j node that runs a block of work on the backend. */
    EXECUTION_BLOCK
}
