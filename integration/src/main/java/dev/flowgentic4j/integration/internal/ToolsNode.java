package dev.flowgentic4j.integration.internal;

import dev.flowgentic4j.tools.AgentTools;
import dev.flowgentic4j.tools.ToolCallExecutor;
import dev.flowgentic4j.workflows.FlowType;
import dev.flowgentic4j.workflows.spi.Futures;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.invocation.InvocationParameters;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.action.AsyncCommandAction;
import org.bsc.langgraph4j.action.Command;
import org.bsc.langgraph4j.agent.Agent;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.langchain4j.tool.LC4jToolService;
import org.bsc.langgraph4j.prebuilt.MessagesState;

/**
 * The tools node of a ReAct agent graph (LangGraph4j's {@code "action"} node): answers every tool
 * request of the last AI message, in request order, with exactly one tool result each, then routes
 * back to the model, or ends when there was nothing to run or the iteration guard tripped.
 *
 * <p>A known tool runs through LangGraph4j's own {@link LC4jToolService} (one request per call, so
 * its result message, error flag and state updates are LangGraph4j's). With {@code asyncCallSlots},
 * service-backed tools on flowgentic4j's one tool path ({@link ToolCallExecutor}, which
 * {@code reactAgent} makes of every tool it is given) run through {@link ToolCallExecutor#executeAsync}
 * instead: a service-backed tool then waits for a call slot under the service's concurrency limit
 * without holding a thread (its result message is built the way {@code LC4jToolService} builds it).
 * What LangGraph4j 1.8.17 would skip or crash on becomes a result text: an unknown tool name, an executor that throws. With an
 * executor, the calls of a turn that asks for several tools run on it concurrently; a turn with one
 * call runs it on the graph's own thread, which LangGraph4j 1.8.17 blocks on the node's future anyway
 * (a hand-off would only add a second waiting thread). Thread-safe.
 */
public final class ToolsNode implements AsyncCommandAction<AgentExecutor.State> {
    private final LC4jToolService toolService;
    private final Map<String, ToolCallExecutor> asyncTools = new HashMap<>();
    private final Set<String> toolNames;
    private final String available;
    private final Executor executor;
    private final int maxIterations;

    /** @param executor where tool calls run concurrently, or null to run them one after another */
    public ToolsNode(Map<ToolSpecification, ToolExecutor> tools, Executor executor, int maxIterations) {
        this(tools, executor, maxIterations, false);
    }

    /**
     * @param executor where tool calls run concurrently, or null to run them one after another
     * @param asyncCallSlots whether flowgentic4j's service tools wait for a call slot without a thread
     */
    public ToolsNode(Map<ToolSpecification, ToolExecutor> tools, Executor executor, int maxIterations,
            boolean asyncCallSlots) {
        this.toolService = new LC4jToolService(new LinkedHashMap<>(tools));
        tools.forEach((spec, tool) -> {
            if (asyncCallSlots && tool instanceof ToolCallExecutor ours
                    && ours.flowType() == FlowType.AGENT_TOOL_AS_SERVICE) {
                asyncTools.put(spec.name(), ours);
            }
        });
        this.toolNames = tools.keySet().stream().map(ToolSpecification::name).collect(Collectors.toUnmodifiableSet());
        this.available = toolNames.isEmpty() ? "(none)" : toolNames.stream().sorted().collect(Collectors.joining(", "));
        this.executor = executor;
        this.maxIterations = maxIterations;
    }

    @Override
    public CompletableFuture<Command> apply(AgentExecutor.State state, RunnableConfig config) {
        List<ToolExecutionRequest> requests = state.lastMessage()
                .filter(AiMessage.class::isInstance)
                .map(m -> ((AiMessage) m).toolExecutionRequests())
                .orElse(List.of());
        if (requests.isEmpty()) {
            return CompletableFuture.completedFuture(new Command(Agent.END_LABEL));
        }
        InvocationContext context = InvocationContext.builder()
                .invocationParameters(InvocationParameters.from(state.data()))
                .build();
        if (requests.size() == 1) {      // nothing to overlap: run it here, no hand-off to another thread
            ToolExecutionRequest request = requests.get(0);
            return (toolNames.contains(request.name()) ? call(request, context) : start(request, context))
                    .thenApply(command -> route(state, List.of(command)));
        }
        List<CompletableFuture<Command>> calls = new ArrayList<>(requests.size());
        for (ToolExecutionRequest request : requests) {
            calls.add(start(request, context));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> route(state, calls.stream().map(CompletableFuture::join).toList()));
    }

    private CompletableFuture<Command> start(ToolExecutionRequest request, InvocationContext context) {
        if (!toolNames.contains(request.name())) {
            return CompletableFuture.completedFuture(
                    result(request, AgentTools.unknownToolText(request.name(), available)));
        }
        if (executor == null) {
            return call(request, context);
        }
        try {
            return CompletableFuture.supplyAsync(() -> call(request, context), executor)
                    .thenCompose(Function.identity());
        } catch (RuntimeException e) {                       // e.g. the backend is closed
            return CompletableFuture.completedFuture(failure(request, e));
        }
    }

    private CompletableFuture<Command> call(ToolExecutionRequest request, InvocationContext context) {
        ToolCallExecutor ours = asyncTools.get(request.name());
        if (ours != null) {       // a service-backed tool waits for its call slot without holding a thread
            return ours.executeAsync(request, context).thenApply(result -> new Command(Map.of(
                    MessagesState.MESSAGES_STATE, List.of(ToolExecutionResultMessage.builder().id(request.id())
                            .toolName(request.name()).text(result.resultText()).isError(result.isError()).build()))));
        }
        try {
            return toolService.execute(List.of(request), context, MessagesState.MESSAGES_STATE)
                    .exceptionally(e -> failure(request, Futures.unwrap(e)));
        } catch (RuntimeException e) {                       // LC4jToolService lets an executor's exception escape
            return CompletableFuture.completedFuture(failure(request, e));
        }
    }

    private Command route(AgentExecutor.State state, List<Command> commands) {
        List<Object> results = new ArrayList<>();
        Map<String, Object> update = new LinkedHashMap<>();
        for (Command command : commands) {       // like AgentExecutor, a tool's own goto is not followed
            command.update().forEach((key, value) -> {
                if (MessagesState.MESSAGES_STATE.equals(key)) {
                    if (value instanceof Collection<?> many) {
                        results.addAll(many);
                    } else {
                        results.add(value);
                    }
                } else {
                    update.put(key, value);
                }
            });
        }
        update.put(MessagesState.MESSAGES_STATE, results);
        int rounds = toolRounds(state.messages());
        if (rounds >= maxIterations) {
            update.put(AgentExecutor.State.FINAL_RESPONSE, "Stopped after " + rounds
                    + " tool rounds without a final answer (maxIterations = " + maxIterations + ")");
            return new Command(Agent.END_LABEL, update);
        }
        return new Command(Agent.AGENT_LABEL, update);
    }

    /** AI turns that asked for tools since the last user message, the current one included. */
    static int toolRounds(List<ChatMessage> messages) {
        int rounds = 0;
        for (int i = messages.size() - 1; i >= 0 && !(messages.get(i) instanceof UserMessage); i--) {
            if (messages.get(i) instanceof AiMessage ai && ai.hasToolExecutionRequests()) {
                rounds++;
            }
        }
        return rounds;
    }

    private static Command result(ToolExecutionRequest request, String text) {
        ToolExecutionResultMessage message = ToolExecutionResultMessage.builder()
                .id(request.id()).toolName(request.name()).text(text).isError(true).build();
        return new Command(Map.of(MessagesState.MESSAGES_STATE, List.of(message)));
    }

    private static Command failure(ToolExecutionRequest request, Throwable e) {
        return result(request, "Error: tool '" + request.name() + "' failed: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
}
