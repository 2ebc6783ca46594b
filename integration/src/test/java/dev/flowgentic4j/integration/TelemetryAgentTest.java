package dev.flowgentic4j.integration;

import static dev.flowgentic4j.testkit.StubReply.call;
import static dev.flowgentic4j.testkit.StubReply.text;
import static dev.flowgentic4j.testkit.StubReply.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.workflows.FlowType;
import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import dev.langchain4j.data.message.UserMessage;
import java.util.List;
import java.util.Map;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.junit.jupiter.api.Test;

/** The ReAct agent's nodes and tool calls in the event stream, with the service each tool used. */
class TelemetryAgentTest {

    @Test
    void the_agents_nodes_and_tools_are_events_tagged_with_flow_type_and_service() {
        try (AgentFixture fixture = new AgentFixture()) {
            fixture.stub.enqueue(toolCalls(call("increment", "{\"who\":\"x\"}"), call("nope", "{}"),
                    call("shout", "{\"text\":\"hi\"}")), text("done"));
            fixture.counter.join();
            try (EventRecorder recorder = fixture.integration.telemetry().record()) {
                AgentExecutor.State state = Graphs.compile(fixture.integration.observe(fixture.wrappers.reactAgent(
                        fixture.model(), fixture.tools(), ReactAgentConfig.ofDefaults())))
                        .invoke(Map.of("messages", UserMessage.from("go"))).orElseThrow();
                assertThat(state.finalResponse()).hasValue("done");

                List<String> ends = recorder.events().stream()
                        .filter(e -> e instanceof CallEvent c && c.phase() == CallEvent.Phase.END)
                        .map(e -> TelemetryScriptedRunTest.describe(e)).toList();
                // "action" is a command node: LangGraph4j's node hook times its node part, and its
                // command (where the tools run) follows it; the unknown tool "nope" is no call at all
                assertThat(ends).containsExactly(
                        "NODE END agent GRAPH_NODE SUCCESS",
                        "NODE END action GRAPH_NODE SUCCESS",
                        "TOOL END increment AGENT_TOOL_AS_SERVICE SUCCESS on counter#1 g1",
                        "TASK END shout FUNCTION_TASK SUCCESS",
                        "TOOL END shout AGENT_TOOL_AS_FUNCTION SUCCESS",
                        "NODE END agent GRAPH_NODE SUCCESS",
                        "NODE END action GRAPH_NODE SUCCESS");
                assertThat(recorder.events()).filteredOn(e -> e instanceof CallEvent c && c.kind() == CallEvent.Kind.TOOL)
                        .extracting(e -> ((CallEvent) e).flowType())
                        .doesNotContain(FlowType.GRAPH_NODE);
            }
        }
    }
}
