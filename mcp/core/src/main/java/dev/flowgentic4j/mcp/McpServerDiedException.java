package dev.flowgentic4j.mcp;

/**
 * A call was with the server when the server went away (its process exited or was killed, its
 * output closed, or it stopped answering after a timed-out call): whether the tool ran, and what it
 * did, is unknown. An MCP service's {@code deadOn} matches it, so a call through the service's
 * handle fails with {@link dev.flowgentic4j.workflows.InstanceDiedException} (whose cause is this
 * exception), or runs once more on the next generation when it is declared idempotent (see
 * {@link McpOptions#idempotentCalls()} and {@link McpOptions#trustIdempotentHints()}).
 */
public class McpServerDiedException extends McpException {
    private static final long serialVersionUID = 1L;

    public McpServerDiedException(String serverName, String message, Throwable cause) {
        super(serverName, message, cause);
    }
}
