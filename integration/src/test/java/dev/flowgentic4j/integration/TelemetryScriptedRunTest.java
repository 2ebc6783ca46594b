package dev.flowgentic4j.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.workflows.FlowType;
import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.FlowEvent;
import dev.flowgentic4j.workflows.telemetry.ServiceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A scripted run: one service used by two nodes and a tool across two graph runs. The event stream
 * is exact, and the report written from it says what the events say.
 */
class TelemetryScriptedRunTest {

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
        ScriptedRun.Run run = ScriptedRun.run(dir);

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
        ScriptedRun.Run run = ScriptedRun.run(dir);
        long nodeRuns = run.events().stream().filter(e -> e instanceof CallEvent c && c.kind() == CallEvent.Kind.NODE
                && c.phase() == CallEvent.Phase.END && c.name().equals("fetch")).count();

        String md = Files.readString(run.report().summary());
        assertThat(md).contains("```mermaid\nflowchart TD\n    n0((\"start\"))\n    n1[\"fetch\"]\n")  // the graph's own nodes
                .contains("    n1 --> n2\n", "    n2 -.->|\"ok\"| n3\n", "    n2 -.->|\"failed\"| n4\n")
                .contains("    class n4 unvisited\n")
                .contains("gantt", "dateFormat x", "section counter 1", "starting g1 :crit", "running g1 :active")
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
