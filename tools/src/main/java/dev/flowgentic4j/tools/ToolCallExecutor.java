package dev.flowgentic4j.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.flowgentic4j.tools.internal.ArgumentBinder;
import dev.flowgentic4j.workflows.CallContext;
import dev.flowgentic4j.workflows.FlowType;
import dev.flowgentic4j.workflows.FunctionTask;
import dev.flowgentic4j.workflows.ServiceBusyException;
import dev.flowgentic4j.workflows.ServiceCall;
import dev.flowgentic4j.workflows.ServiceCallException;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceUnavailableException;
import dev.flowgentic4j.workflows.TaskFailedException;
import dev.flowgentic4j.workflows.spi.Checks;
import dev.flowgentic4j.workflows.spi.Futures;
import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.CallSpan;
import dev.flowgentic4j.workflows.telemetry.Telemetry;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every flowgentic4j tool call goes through, whatever made the tool ({@link AgentTools},
 * {@code ExecutionWrappers.agentToolAs*}, {@code McpTools}, or a plain langchain4j tool that the ReAct
 * agent runs). For each call it
 * <ol>
 *   <li>parses the model's JSON arguments and binds them to the declared {@link ToolParameter}s (or,
 *       for a tool whose schema another party checks, only checks that they are one JSON object of at
 *       most {@link AgentTools#MAX_ARGUMENT_CHARS} characters);</li>
 *   <li>calls the live target: a {@link FunctionTask} (on the backend, with its retries), the instance
 *       behind a {@link ServiceFuture} (resolved at every call, under its concurrency limit), or a
 *       function;</li>
 *   <li>turns every failure (bad arguments, a throwing tool, a service that is not RUNNING) into a
 *       result text beginning with {@code Error:} that names the problem, so the conversation goes on;</li>
 *   <li>records the call as a TOOL {@link CallEvent} pair in the target's engine telemetry (an error
 *       result is a failed call), tagged with its flow type and, for a service, the instance and
 *       generation: the metrics, the health endpoint's counters and the execution report see it.</li>
 * </ol>
 * A new kind of tool is built here and so cannot miss any of the four. With no telemetry subscriber
 * the recording costs one volatile read. Thread-safe if the tool's body is.
 *
 * <pre>{@code
 * ToolExecutor lookup = ToolCallExecutor.builder("lookup")
 *     .parameters(List.of(ToolParameter.required("key", String.class, "what to look up")))
 *     .service(cache, Duration.ofSeconds(30), (client, args) -> client.get(args.get("key", String.class)));
 * ToolExecutor raw = ToolCallExecutor.builder("echo").unboundArguments()
 *     .service(server, Duration.ofSeconds(30), (live, args) -> live.call("echo", args.json()));
 * Map<ToolSpecification, ToolExecutor> observed = ToolCallExecutor.observeAll(tools, integration.telemetry());
 * }</pre>
 */
public final class ToolCallExecutor implements ToolExecutor {
    private static final Logger log = LoggerFactory.getLogger(ToolCallExecutor.class);

    /**
     * A failure whose message is written for the model (it names the tool and what went wrong): its
     * result text is {@code "Error: " + message}, with no class name or tool prefix added.
     */
    public interface DescribedFailure {
        String getMessage();
    }

    /** What a tool built on neither a task nor a service does with its arguments. */
    @FunctionalInterface
    public interface Body {
        /** @return the tool result: a {@code String} as is, anything else as JSON, null as {@code "Success"} */
        Object apply(ToolArguments arguments) throws Exception;
    }

    /** The call on the live target; {@code span} (null when no one listens) learns which instance served it. */
    @FunctionalInterface
    private interface Call {
        Object run(ToolArguments arguments, ToolExecutionRequest request, InvocationContext context, CallSpan span)
                throws Exception;
    }

    /** The same call without blocking while it waits (for a service's call slot, for the backend). */
    @FunctionalInterface
    private interface AsyncCall {
        CompletableFuture<?> start(ToolArguments arguments, CallSpan span) throws Exception;
    }

    private final String name;
    private final FlowType flowType;
    private final Telemetry telemetry;
    private final ServiceFuture<?> service;        // null unless the target is a service
    private final ArgumentBinder binder;           // null: the target reads the request itself
    private final Call call;
    private final AsyncCall asyncCall;             // null: the call itself, complete on return

    private ToolCallExecutor(String name, FlowType flowType, Telemetry telemetry, ServiceFuture<?> service,
            ArgumentBinder binder, Call call, AsyncCall asyncCall) {
        this.name = name;
        this.flowType = flowType;
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
        this.service = service;
        this.binder = binder;
        this.call = call;
        this.asyncCall = asyncCall;
    }

    /**
     * Starts a tool named {@code name} (the name the model calls; used in error texts and events).
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Builder builder(String name) {
        return new Builder(Checks.requireName(name, "name"));
    }

    /**
     * A langchain4j executor made elsewhere, run through this path: its arguments stay its own
     * business, but an exception it throws becomes an error result and every call is recorded in
     * {@code telemetry} as AGENT_TOOL_AS_FUNCTION. An executor already on this path is returned as is.
     *
     * @throws NullPointerException if an argument is null
     */
    public static ToolCallExecutor observe(String name, ToolExecutor executor, Telemetry telemetry) {
        Objects.requireNonNull(executor, "executor");
        if (executor instanceof ToolCallExecutor ours) {
            return ours;
        }
        return new ToolCallExecutor(Checks.requireName(name, "name"), FlowType.AGENT_TOOL_AS_FUNCTION,
                Objects.requireNonNull(telemetry, "telemetry"), null, null,
                (arguments, request, context, span) -> executor.executeWithContext(request, context), null);
    }

    /**
     * {@code tools} with every executor on this path ({@link #observe}), same order and
     * specifications; executors already on it are kept.
     *
     * @throws NullPointerException if an argument is null
     */
    public static Map<ToolSpecification, ToolExecutor> observeAll(Map<ToolSpecification, ToolExecutor> tools,
            Telemetry telemetry) {
        Objects.requireNonNull(telemetry, "telemetry");
        Map<ToolSpecification, ToolExecutor> observed = new java.util.LinkedHashMap<>();
        tools.forEach((spec, executor) -> observed.put(spec, observe(spec.name(), executor, telemetry)));
        return java.util.Collections.unmodifiableMap(observed);
    }

    /** The tool's name, as the model calls it. */
    public String name() {
        return name;
    }

    /** The flow type its calls are recorded with. */
    public FlowType flowType() {
        return flowType;
    }

    /**
     * The specification of this tool with {@code description}, its parameters' JSON schema derived
     * as langchain4j derives it for {@code @Tool} method parameters.
     *
     * @throws IllegalStateException if the tool takes unbound arguments or reads the request itself
     */
    public ToolSpecification specification(String description) {
        if (binder == null || !binder.isBound()) {
            throw new IllegalStateException("tool '" + name + "' declares no parameters of its own");
        }
        return binder.specification(name, description);
    }

    @Override
    public String execute(ToolExecutionRequest request, Object memoryId) {
        return executeWithContext(request, InvocationContext.builder().chatMemoryId(memoryId).build()).resultText();
    }

    @Override
    public ToolExecutionResult executeWithContext(ToolExecutionRequest request, InvocationContext context) {
        CallSpan span = begin();
        ToolExecutionResult result;
        try {
            ToolArguments arguments = bind(request, context);
            result = rendered(call.run(arguments, request, context, span));
        } catch (BadArguments e) {
            result = e.result;
        } catch (Throwable e) {
            result = failed(e);
        }
        return end(span, result);
    }

    /**
     * {@link #executeWithContext} without blocking while a service-backed tool waits for a call slot
     * (the service's {@code callAsync}) or a task-backed one runs on the backend: the future completes
     * with the result, never exceptionally; with a free slot it may be complete on return.
     */
    public CompletableFuture<ToolExecutionResult> executeAsync(ToolExecutionRequest request,
            InvocationContext context) {
        CallSpan span = begin();
        CompletableFuture<?> value;
        try {
            ToolArguments arguments = bind(request, context);
            value = asyncCall == null ? CompletableFuture.completedFuture(call.run(arguments, request, context, span))
                    : asyncCall.start(arguments, span);
        } catch (BadArguments e) {
            return CompletableFuture.completedFuture(end(span, e.result));
        } catch (Throwable e) {
            return CompletableFuture.completedFuture(end(span, failed(e)));
        }
        return value.handle((result, error) -> end(span, error == null ? rendered(result) : failed(error)));
    }

    private ToolArguments bind(ToolExecutionRequest request, InvocationContext context) throws BadArguments {
        if (binder == null) {
            return null;
        }
        String json = request.arguments();
        try {
            Map<String, Object> values = binder.bind(json);
            return new ToolArguments(values, binder.isBound() ? binder.parameterNames() : values.keySet(),
                    json == null || json.isBlank() ? "{}" : json, context == null ? null : context.chatMemoryId());
        } catch (ArgumentBinder.BadArgumentsException e) {
            throw new BadArguments(error("Error: invalid arguments for tool '" + name + "': " + e.getMessage()));
        }
    }

    private CallSpan begin() {
        return telemetry.beginCall(CallEvent.Kind.TOOL, name, flowType,
                service == null ? null : service.id(), service == null ? 0 : service.generation());
    }

    private ToolExecutionResult end(CallSpan span, ToolExecutionResult result) {
        if (span != null) { // a call that reached an instance was tagged by servedBy; one that did not keeps
                            // the handle and the generation begin() saw
            span.end(result.isError() ? new ToolError(result.resultText()) : null);
        }
        return result;
    }

    private ToolExecutionResult failed(Throwable e) {
        return error(describeFailure(Futures.unwrap(e, ServiceCallException.class)));
    }

    private ToolExecutionResult rendered(Object value) {
        if (value instanceof ToolExecutionResult result) {       // a langchain4j executor's own result
            return result;
        }
        try {
            return ToolExecutionResult.builder().result(value).resultText(render(value)).build();
        } catch (JsonProcessingException e) {
            return error("Error: tool '" + name + "' returned a result that cannot be rendered as JSON: "
                    + e.getOriginalMessage());
        }
    }

    private String describeFailure(Throwable e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        if (e instanceof DescribedFailure described) {
            return "Error: " + described.getMessage();
        }
        if (e instanceof ServiceUnavailableException || e instanceof ServiceFailedException
                || e instanceof ServiceBusyException) {
            return "Error: tool '" + name + "' is unavailable: " + e.getMessage();
        }
        if (e instanceof TaskFailedException) {
            return "Error: tool '" + name + "' failed: " + e.getMessage();
        }
        if (e instanceof Error && !(e instanceof AssertionError)) {
            log.warn("tool '{}' threw an Error", name, e);
        }
        return "Error: tool '" + name + "' failed: " + e.getClass().getSimpleName()
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
        return "ToolCallExecutor[" + name + ", " + flowType + (service == null ? "" : " on " + service.id()) + "]";
    }

    /**
     * Builds a tool on this path: choose how arguments are read, then the target, which also fixes
     * the telemetry the calls are recorded in (the target's engine). Not thread-safe; the executor is.
     */
    public static final class Builder {
        private final String name;
        private ArgumentBinder binder = new ArgumentBinder(List.of());

        private Builder(String name) {
            this.name = name;
        }

        /**
         * The tool's typed parameters: the model's arguments are bound to them (a missing required one,
         * a wrong type, malformed JSON are error results naming the problem). Without this call the
         * tool takes no arguments.
         *
         * @throws NullPointerException if {@code parameters} is null
         * @throws IllegalArgumentException if two parameters share a name
         */
        public Builder parameters(List<ToolParameter> parameters) {
            this.binder = new ArgumentBinder(List.copyOf(parameters));
            return this;
        }

        /**
         * Any JSON object is accepted (checked for size and shape only) and handed on unbound:
         * {@link ToolArguments#json()} holds it as sent, {@link ToolArguments#asMap()} as a map. For
         * tools whose schema another party checks, such as an MCP server's.
         */
        public Builder unboundArguments() {
            this.binder = ArgumentBinder.unbound();
            return this;
        }

        /**
         * AGENT_TOOL_AS_FUNCTION: every call runs {@code task} with the bound arguments (on the backend,
         * with the task's retry and timeout policy); recorded in the task's engine telemetry.
         *
         * @throws NullPointerException if {@code task} is null
         */
        public ToolCallExecutor task(FunctionTask<ToolArguments, ?> task) {
            Objects.requireNonNull(task, "task");
            return new ToolCallExecutor(name, FlowType.AGENT_TOOL_AS_FUNCTION, task.telemetry(), null, binder,
                    (arguments, request, context, span) -> task.call(arguments),
                    (arguments, span) -> task.submit(arguments));
        }

        /**
         * AGENT_TOOL_AS_SERVICE: every call applies {@code function} to the live instance behind
         * {@code service}, resolved at that call (waiting up to {@code readyTimeout} for it to be
         * RUNNING) and counted among its calls; recorded in the service's engine telemetry, tagged with
         * the instance and its generation.
         *
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if {@code readyTimeout} is not positive
         */
        public <S> ToolCallExecutor service(ServiceFuture<S> service, Duration readyTimeout,
                ServiceToolFunction<? super S> function) {
            Objects.requireNonNull(service, "service");
            Checks.requirePositive(readyTimeout, "readyTimeout");
            Objects.requireNonNull(function, "function");
            return new ToolCallExecutor(name, FlowType.AGENT_TOOL_AS_SERVICE, service.telemetry(), service, binder,
                    (arguments, request, context, span) -> service.call(readyTimeout, callOf(function, arguments, span)),
                    (arguments, span) -> service.callAsync(readyTimeout, callOf(function, arguments, span)));
        }

        private static <S> ServiceCall<S, Object> callOf(ServiceToolFunction<? super S> function,
                ToolArguments arguments, CallSpan span) {
            return instance -> {
                if (span != null) { // the instance that serves this call: replica and generation included
                    span.servedBy(FlowType.AGENT_TOOL_AS_SERVICE, CallContext.current());
                }
                return function.apply(instance, arguments);
            };
        }

        /**
         * A tool built on neither a task nor a service: every call applies {@code body} to the bound
         * arguments on the calling thread; recorded in {@code telemetry} as AGENT_TOOL_AS_FUNCTION.
         *
         * @throws NullPointerException if an argument is null
         */
        public ToolCallExecutor function(Telemetry telemetry, Body body) {
            Objects.requireNonNull(telemetry, "telemetry");
            Objects.requireNonNull(body, "body");
            return new ToolCallExecutor(name, FlowType.AGENT_TOOL_AS_FUNCTION, telemetry, null, binder,
                    (arguments, request, context, span) -> body.apply(arguments), null);
        }
    }

    /** Arguments that cannot be bound, carrying the error result. */
    private static final class BadArguments extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient ToolExecutionResult result;

        BadArguments(ToolExecutionResult result) {
            super(result.resultText(), null, false, false);
            this.result = result;
        }
    }

    /** The error text a tool returned, as the failure of its call event. */
    private static final class ToolError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ToolError(String text) {
            super(text, null, false, false);
        }
    }
}
