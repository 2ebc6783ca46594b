package dev.flowgentic4j.mcp;

import dev.flowgentic4j.workflows.FlowgenticException;

/**
 * An MCP server could not be started, or a call to it failed. The message names the server and
 * says what happened; tools turn it into a result text the model reads.
 */
public class McpException extends FlowgenticException {
    private static final long serialVersionUID = 1L;

    private final String serverName;

    public McpException(String serverName, String message, Throwable cause) {
        super(message, cause);
        this.serverName = serverName;
    }

    /** The name of the server concerned. */
    public String serverName() {
        return serverName;
    }
}
