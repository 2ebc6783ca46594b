package dev.flowgentic4j.mcp;

/**
 * A call found its server gone (or being replaced) before anything was sent to it: nothing reached
 * the server, so the call may go to the next generation. {@link McpTools} do that by themselves,
 * within the call's ready timeout. Through {@code ServiceFuture.call} it usually arrives as the cause
 * of an {@link dev.flowgentic4j.workflows.InstanceDiedException} (an MCP service's {@code deadOn}
 * matches it): the call may be made again.
 */
public class McpServerGoneException extends McpException {
    private static final long serialVersionUID = 1L;

    public McpServerGoneException(String serverName, String message, Throwable cause) {
        super(serverName, message, cause);
    }
}
