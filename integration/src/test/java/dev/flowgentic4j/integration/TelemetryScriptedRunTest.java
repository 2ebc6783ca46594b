package dev.flowgentic4j.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;

import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.FlowType;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import dev.flowgentic4j.workflows.telemetry.FlowEvent;
import dev.flowgentic4j.workflows.telemetry.MetricsSnapshot;
import dev.flowgentic4j.workflows.telemetry.ServiceEvent;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.action.AsyncEdgeAction;
import org.bsc.langgraph4j.action.AsyncNodeAction;
import org.bsc.langgraph4j.state.AgentState;
import org.bsc.langgraph4j.state.Channels;
import org.junit.jupiter.api.Test;

/**
 * A scripted run: one service used by two nodes and a tool across two graph runs. The event stream
 * is exact, and the report written from it says what the events say.
 */
class TelemetryScriptedRunTest {

    /** The scripted run, its events, and the report written from them. */
    record Run(List<FlowEvent> events, Map<String, Object> finalState, ExecutionReport report, int coldStarts,
               MetricsSnapshot metrics) {}

    /** Runs the script and writes its report into {@code dir} (examples' ExecutionReportBrowserTest opens such a report). */
    static Run scriptedRun(Path dir) {
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

    static String describe(FlowEvent event) {
        if (event instanceof ServiceEvent e) {
            return "service " + e.type() + " " + e.serviceId() + " g" + e.generation();
        }
        CallEvent e = (CallEvent) event;
        return e.kind() + " " + e.phase() + " " + e.name()
                + (e.phase() == CallEvent.Phase.END ? " " + e.flowType() + " " + e.outcome()
                + (e.serviceId() == null ? "" : " on " + e.serviceId() + " g" + e.generation()) : "");
    }

    @Test
    void a_service_used_by_two_nodes_and_a_tool_over_two_runs_gives_an_exact_event_stream(@org.junit.jupiter.api.io.TempDir Path dir) {
        Run run = scriptedRun(dir);

        List<String> graphRun = List.of(
                "NODE START fetch",
                "NODE END fetch SERVICE_TASK SUCCESS on counter#1 g1",
                "NODE START ask_tool",
                "TOOL START increment",
                "TOOL END increment AGENT_TOOL_AS_SERVICE SUCCESS on counter#1 g1",
                "NODE END ask_tool GRAPH_NODE SUCCESS",
                "NODE START store",
                "NODE END store SERVICE_TASK SUCCESS on counter#1 g1");
        List<String> expected = new ArrayList<>();
        expected.add("service STARTING counter#1 g0");
        expected.add("service RUNNING counter#1 g1");
        expected.addAll(graphRun);
        expected.addAll(graphRun);
        expected.add("service STOPPING counter#1 g1");
        expected.add("service TERMINATED counter#1 g1");
        assertThat(run.events()).extracting(TelemetryScriptedRunTest::describe).containsExactlyElementsOf(expected);
        assertThat(run.coldStarts()).isEqualTo(1);
        assertThat(run.finalState().get("log").toString()).contains("store 6");

        // the metrics agree: 6 calls on the one instance, 2 per node and tool, no errors
        assertThat(run.metrics().service("counter#1").orElseThrow().calls()).isEqualTo(6);
        assertThat(run.metrics().service("counter#1").orElseThrow().latency().count()).isEqualTo(6);
        assertThat(run.metrics().call(CallEvent.Kind.NODE, "fetch").orElseThrow().calls()).isEqualTo(2);
        assertThat(run.metrics().call(CallEvent.Kind.TOOL, "increment").orElseThrow().flowType())
                .isEqualTo(FlowType.AGENT_TOOL_AS_SERVICE);
        assertThat(run.metrics().calls()).allSatisfy(c -> assertThat(c.errors()).isZero());
    }

    @Test
    void the_report_files_contain_the_graph_the_timeline_and_the_numbers_the_events_say(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Run run = scriptedRun(dir);
        long nodeRuns = run.events().stream().filter(e -> e instanceof CallEvent c && c.kind() == CallEvent.Kind.NODE
                && c.phase() == CallEvent.Phase.END && c.name().equals("fetch")).count();

        String md = Files.readString(run.report().summary());
        assertThat(md).contains("```mermaid\nflowchart TD\n    n0((\"start\"))\n    n1[\"fetch\"]\n")  // the graph's own nodes
                .contains("    n1 --> n2\n", "    n2 -.->|\"ok\"| n3\n", "    n2 -.->|\"failed\"| n4\n")
                .contains("    class n4 unvisited\n")
                .contains("gantt", "dateFormat x", "section counter 1", "starting :crit", "running :active")
                .contains("| counter#1 | counter | TERMINATED | 1 |")            // one cold start
                .contains("| node | fetch | SERVICE_TASK | " + nodeRuns + " | 0 | 0 |")
                .contains("| tool | increment | AGENT_TOOL_AS_SERVICE | 2 | 0 | 0 |")
                .contains("## Nodes never visited\n\n- apologise\n")
                .contains("| log | \\[fetch 4, tool 5, store 6\\] |");
        assertThat(count(md, "\n    node [a-z_]+ :")).isEqualTo(6);              // every node call on the timeline
        assertThat(count(md, "\n    tool increment :")).isEqualTo(2);

        String html = Files.readString(run.report().html());
        assertThat(html).contains("<svg id=\"graph\"", "<svg id=\"timeline\"", "data-node=\"apologise\"")
                .doesNotContain("<script", "http://cdn", "https://");
        assertThat(count(html, "class=\"bar call\"")).isEqualTo(8);           // 6 node + 2 tool calls
        assertThat(count(html, "class=\"bar life starting\"")).isEqualTo(1);

        String json = Files.readString(run.report().eventsJson());
        assertThat(count(json, "\"event\":\"call\"")).isEqualTo(16);
        assertThat(count(json, "\"event\":\"service\"")).isEqualTo(4);
        assertThat(json).contains("\"type\":\"RUNNING\"", "\"serviceId\":\"counter#1\"");
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
