package dev.flowgentic4j.workflows;

/**
 * The flow types of the toolkit (the original's {@code AsyncFlowType}), plus {@link #GRAPH_NODE} for
 * graph nodes that are none of them (a LangGraph4j node of the user's, or the agent's model node).
 * Every call event and call metric is tagged with one.
 */
public enum FlowType {
    /** A task: each call runs a function on the backend. */
    FUNCTION_TASK,
    /** A persistent service, or a node or call bound to one. */
    SERVICE_TASK,
    /** A langchain4j tool whose every call runs as a FUNCTION_TASK. */
    AGENT_TOOL_AS_FUNCTION,
    /** A langchain4j tool calling a persistent service instance. */
    AGENT_TOOL_AS_SERVICE,
    /** A graph node that runs a block of work on the backend. */
    EXECUTION_BLOCK,
    /** Any other graph node. */
    GRAPH_NODE
}
