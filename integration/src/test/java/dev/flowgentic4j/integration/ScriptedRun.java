package dev.flowgentic4j.integration;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;

import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import dev.flowgentic4j.workflows.telemetry.FlowEvent;
import dev.flowgentic4j.workflows.telemetry.MetricsSnapshot;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.action.AsyncEdgeAction;
import org.bsc.langgraph4j.action.AsyncNodeAction;
import org.bsc.langgraph4j.state.AgentState;
import org.bsc.langgraph4j.state.Channels;

/**
 * The scripted run of the telemetry tests, and the one fixture of an execution report: one service
 * used by two nodes and a tool across two graph runs, one node never visited. Shared with the
 * examples' browser test through this module's test jar.
 */
public final class ScriptedRun {
    private ScriptedRun() {}

    /** The scripted run, its events, and the report written from them. */
    public record Run(List<FlowEvent> events, Map<String, Object> finalState, ExecutionReport report, int coldStarts,
               MetricsSnapshot metrics) {}

    /** Runs the script and writes its report into {@code dir}. */
    public static Run run(Path dir) {
        AtomicInteger coldStarts = new AtomicInteger();
        List<FlowEvent> events;
        Map<String, Object> finalState;
        StateGraph<AgentState> graph;
        MetricsSnapshot metrics;
        LangGraphIntegration integration = LangGraphIntegration.create(IntegrationConfig.builder()
                .engine(EngineConfig.builder().serviceRetry(RetryConfig.noRetry()).build()).build());
        EventRecorder recorder = integration.telemetry().record();
        try (integration) {
            integration.telemetry().metrics();
            ExecutionWrappers wrappers = integration.executionWrappers();
            ServiceFuture<Counter> counter = wrappers.serviceTask("counter", () -> {
                coldStarts.incrementAndGet();
                return new Counter();
            }).start();
            counter.join();
            Map<ToolSpecification, ToolExecutor> tools = wrappers.agentToolAsService(counter, Counter.class);
            ToolExecutor increment = tools.values().iterator().next();
            graph = integration.observe(Graphs.define(() -> new StateGraph<>(
                    Map.of("log", Channels.appenderWithDuplicate(ArrayList::new)), AgentState::new)
                    .addNode("fetch", wrappers.serviceNode(counter, (c, s) -> Map.of("log", "fetch " + c.increment("fetch"))))
                    .addNode("ask_tool", AsyncNodeAction.node_async(state -> Map.of("log", "tool "
                            + increment.executeWithContext(ToolExecutionRequest.builder().id("1").name("increment")
                                    .arguments("{\"who\":\"graph\"}").build(), InvocationContext.builder().build())
                            .resultText())))
                    .addNode("store", wrappers.serviceNode(counter, (c, s) -> Map.of("log", "store " + c.increment("store"))))
                    .addNode("apologise", wrappers.serviceNode(counter, (c, s) -> Map.of("log", "sorry")))
                    .addEdge(START, "fetch")
                    .addEdge("fetch", "ask_tool")
                    .addConditionalEdges("ask_tool", AsyncEdgeAction.edge_async(s -> "ok"),
                            Map.of("ok", "store", "failed", "apologise"))
                    .addEdge("store", END)
                    .addEdge("apologise", END)));
            integration.observe(graph); // a second time: still one event per node run
            CompiledGraph<AgentState> compiled = Graphs.compile(graph);
            compiled.invoke(Map.of()).orElseThrow();
            finalState = compiled.invoke(Map.of()).orElseThrow().data();
            metrics = integration.telemetry().metrics().snapshot();
        }
        recorder.close();
        events = recorder.events();
        ExecutionReport report = ExecutionReport.builder("scripted run").graph(graph).events(events)
                .finalState(finalState).write(dir);
        return new Run(events, finalState, report, coldStarts.get(), metrics);
    }
}
