package dev.flowgentic4j.tools.internal;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link ToolExecutor} that can also run a call without blocking while it waits for a service's
 * call slot. Internal: not part of the public API.
 */
public interface AsyncToolExecutor extends ToolExecutor {

    /** {@link #executeWithContext} as a future that completes with the result, never exceptionally. */
    CompletableFuture<ToolExecutionResult> executeAsync(ToolExecutionRequest request, InvocationContext context);
}
