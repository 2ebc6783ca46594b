package dev.flowgentic4j.integration;

import static dev.flowgentic4j.testkit.StubReply.call;
import static dev.flowgentic4j.testkit.StubReply.text;
import static dev.flowgentic4j.testkit.StubReply.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.testkit.OpenAiStub;
import dev.flowgentic4j.testkit.StubReply;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.Map;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Our tools in LangGraph4j's own {@code AgentExecutor}, and why {@link ExecutionWrappers#reactAgent} is the
 * recommended ReAct graph: LangGraph4j 1.8.17 skips a call to an unknown tool.
 */
class AgentExecutorToolsTest {
    private AgentFixture fixture;
    private OpenAiStub stub;

    @BeforeEach
    void setUp() {
        fixture = new AgentFixture();
        stub = fixture.stub;
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private StateGraph<AgentExecutor.State> plainAgentExecutor(Map<ToolSpecification, ToolExecutor> tools) {
        return Graphs.define(() -> {
            AgentExecutor.Builder builder = AgentExecutor.builder().chatModel(fixture.model());
            tools.forEach(builder::toolSpecification);
            return builder.build();
        });
    }

    private static AgentExecutor.State ask(StateGraph<AgentExecutor.State> agent, String question) {
        CompiledGraph<AgentExecutor.State> graph = Graphs.compile(agent);
        return graph.invoke(Map.of("messages", UserMessage.from(question))).orElseThrow();
    }

    @Test
    void agent_executor_calls_service_and_function_tools_through_the_real_openai_client() {
        stub.requireToolResults().enqueue(
                toolCalls(call("increment", "{\"who\":\"agent\"}"), call("shout", "{\"text\":\"hi\"}")),
                toolCalls(call("counter_value", "{}")),
                text("counter is 1"));

        AgentExecutor.State state = ask(plainAgentExecutor(fixture.tools()), "count please");

        assertThat(state.finalResponse()).contains("counter is 1");
        assertThat(stub.requests().get(0).toolNames()).containsExactlyInAnyOrder("increment", "counter_value", "shout");
        assertThat(stub.requests().get(1).latestToolResults()).containsExactlyInAnyOrder("1", "HI");
        assertThat(stub.requests().get(2).latestToolResults()).containsExactly("1");
        assertThat(fixture.counter.callCount()).isEqualTo(2);
    }

    @Test
    void react_agent_gets_all_bad_input_back_as_tool_results_and_goes_on() {
        stub.requireToolResults().enqueue(
                toolCalls(call("increment", "not json")),
                toolCalls(call("shout", "{}")),
                toolCalls(call("increment", "{\"who\":\"fixed\"}")),
                toolCalls(call("no_such_tool", "{}")),
                text("recovered"));

        AgentExecutor.State state = ask(fixture.wrappers.reactAgent(fixture.model(), fixture.tools(), ReactAgentConfig.ofDefaults()), "go");

        assertThat(state.finalResponse()).contains("recovered");
        assertThat(stub.requests().get(1).latestToolResults().get(0))
                .startsWith("Error: invalid arguments for tool 'increment': arguments are not valid JSON");
        assertThat(stub.requests().get(2).latestToolResults().get(0))
                .startsWith("Error: invalid arguments for tool 'shout': missing required parameter 'text'");
        assertThat(stub.requests().get(3).latestToolResults()).containsExactly("1");
        assertThat(stub.requests().get(4).latestToolResults()).containsExactly(
                "Error: there is no tool named 'no_such_tool'; available tools: " + AgentFixture.TOOL_NAMES);
    }

    @Test
    void plain_agent_executor_sends_no_result_for_an_unknown_tool() {
        // LangGraph4j 1.8.17's LC4jToolService skips a request for a tool it does not know
        stub.enqueue(toolCalls(new StubReply.ToolCall("call_9", "no_such_tool", "{}")), text("a lenient endpoint goes on"));

        AgentExecutor.State state = ask(plainAgentExecutor(fixture.tools()), "go");

        assertThat(state.finalResponse()).contains("a lenient endpoint goes on");
        assertThat(stub.lastRequest().latestToolResults()).isEmpty();
        assertThat(stub.lastRequest().unansweredToolCallIds()).containsExactly("call_9");
    }

    @Test
    void plain_agent_executor_crashes_on_an_unknown_tool_against_an_endpoint_that_checks_tool_call_ids() {
        stub.requireToolResults()
                .enqueue(toolCalls(new StubReply.ToolCall("call_9", "no_such_tool", "{}")), text("never sent"));

        assertThatThrownBy(() -> ask(plainAgentExecutor(fixture.tools()), "go"))
                .hasStackTraceContaining("The following tool_call_ids did not have response messages: call_9");
        assertThat(stub.requests()).hasSize(2);
    }
}
