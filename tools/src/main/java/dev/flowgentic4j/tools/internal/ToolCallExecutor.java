package dev.flowgentic4j.tools.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.flowgentic4j.workflows.ServiceBusyException;
import dev.flowgentic4j.workflows.ServiceCallException;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceUnavailableException;
import dev.flowgentic4j.workflows.TaskFailedException;
import dev.flowgentic4j.workflows.spi.Futures;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link ToolExecutor} behind every flowgentic4j tool: binds the arguments, runs the tool's
 * body and turns every failure (bad arguments, a throwing tool, an unavailable service) into a
 * result text that names what was wrong, so the agent's conversation goes on. Thread-safe if the
 * body is.
 */
public final class ToolCallExecutor implements AsyncToolExecutor {
    private static final Logger log = LoggerFactory.getLogger(ToolCallExecutor.class);

    /** What a tool does with its bound arguments. */
    @FunctionalInterface
    public interface Body {
        Object run(Map<String, Object> arguments, Object memoryId) throws Exception;
    }

    /** The same body for callers that must not block: its future completes with the tool's value. */
    @FunctionalInterface
    public interface AsyncBody {
        CompletableFuture<?> start(Map<String, Object> arguments, Object memoryId) throws Exception;
    }

    private final String toolName;
    private final ArgumentBinder binder;
    private final Body body;
    private final AsyncBody asyncBody;

    public ToolCallExecutor(String toolName, ArgumentBinder binder, Body body) {
        this(toolName, binder, body, null);
    }

    /** @param asyncBody what {@link #executeAsync} runs, or null to run {@code body} there */
    public ToolCallExecutor(String toolName, ArgumentBinder binder, Body body, AsyncBody asyncBody) {
        this.toolName = Objects.requireNonNull(toolName, "toolName");
        this.binder = Objects.requireNonNull(binder, "binder");
        this.body = Objects.requireNonNull(body, "body");
        this.asyncBody = asyncBody;
    }

    /**
     * {@link #executeWithContext} without blocking while a service-backed tool waits for a call slot
     * (the service's {@code callAsync}): the future completes with the result, never exceptionally;
     * with a free slot (or without an asynchronous body) it is complete on return.
     */
    @Override
    public CompletableFuture<ToolExecutionResult> executeAsync(ToolExecutionRequest request, InvocationContext context) {
        Object memoryId = context == null ? null : context.chatMemoryId();
        if (asyncBody == null) {
            return CompletableFuture.completedFuture(run(request, memoryId));
        }
        Map<String, Object> arguments;
        try {
            arguments = binder.bind(request.arguments());
        } catch (ArgumentBinder.BadArgumentsException e) {
            return CompletableFuture.completedFuture(badArguments(e));
        }
        CompletableFuture<?> value;
        try {
            value = asyncBody.start(arguments, memoryId);
        } catch (Throwable e) {
            return CompletableFuture.completedFuture(failed(e));
        }
        return value.handle((result, error) -> error == null ? rendered(result) : failed(error));
    }

    @Override
    public String execute(ToolExecutionRequest request, Object memoryId) {
        return run(request, memoryId).resultText();
    }

    @Override
    public ToolExecutionResult executeWithContext(ToolExecutionRequest request, InvocationContext context) {
        return run(request, context == null ? null : context.chatMemoryId());
    }

    private ToolExecutionResult run(ToolExecutionRequest request, Object memoryId) {
        Map<String, Object> arguments;
        try {
            arguments = binder.bind(request.arguments());
        } catch (ArgumentBinder.BadArgumentsException e) {
            return badArguments(e);
        }
        return invoke(arguments, memoryId);
    }

    private ToolExecutionResult badArguments(ArgumentBinder.BadArgumentsException e) {
        return error("Error: invalid arguments for tool '" + toolName + "': " + e.getMessage());
    }

    /**
     * Runs the tool's body with arguments already bound (by name, as {@link ArgumentBinder#bind}
     * returns them) and renders the result; every failure becomes an error result. This is the call
     * without argument parsing.
     */
    public ToolExecutionResult invoke(Map<String, Object> arguments, Object memoryId) {
        Object value;
        try {
            value = body.run(arguments, memoryId);
        } catch (Throwable e) {
            return failed(e);
        }
        return rendered(value);
    }

    private ToolExecutionResult failed(Throwable e) {
        return error(describeFailure(Futures.unwrap(e, ServiceCallException.class)));
    }

    private ToolExecutionResult rendered(Object value) {
        try {
            return ToolExecutionResult.builder().result(value).resultText(render(value)).build();
        } catch (JsonProcessingException e) {
            return error("Error: tool '" + toolName + "' returned a result that cannot be rendered as JSON: "
                    + e.getOriginalMessage());
        }
    }

    private String describeFailure(Throwable e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        if (e instanceof ServiceUnavailableException || e instanceof ServiceFailedException
                || e instanceof ServiceBusyException) {
            return "Error: tool '" + toolName + "' is unavailable: " + e.getMessage();
        }
        if (e instanceof TaskFailedException) {
            return "Error: tool '" + toolName + "' failed: " + e.getMessage();
        }
        if (e instanceof Error && !(e instanceof AssertionError)) {
            log.warn("tool '{}' threw an Error", toolName, e);
        }
        return "Error: tool '" + toolName + "' failed: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    static String render(Object value) throws JsonProcessingException {
        if (value == null) {
            return "Success";
        }
        if (value instanceof CharSequence || value instanceof Integer || value instanceof Long
                || value instanceof Boolean) {
            return value.toString();                        // what Jackson would write, without a writer
        }
        return ArgumentBinder.JSON.writeValueAsString(value);
    }

    private static ToolExecutionResult error(String text) {
        return ToolExecutionResult.builder().isError(true).resultText(text).build();
    }

    @Override
    public String toString() {
        return "ToolCallExecutor[" + toolName + "]";
    }
}
