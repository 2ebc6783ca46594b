package dev.flowgentic4j.mcp;

import dev.flowgentic4j.tools.ToolCallExecutor;
import dev.flowgentic4j.workflows.FlowgenticException;

/**
 * An MCP server could not be started, or a call to it failed. The message names the server and
 * says what happened; the tool path returns it to the model as {@code "Error: " + message}.
 */
public class McpException extends FlowgenticException implements ToolCallExecutor.DescribedFailure {
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
