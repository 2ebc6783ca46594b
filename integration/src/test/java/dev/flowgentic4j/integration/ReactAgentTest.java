package dev.flowgentic4j.integration;

import static dev.flowgentic4j.testkit.StubReply.call;
import static dev.flowgentic4j.testkit.StubReply.text;
import static dev.flowgentic4j.testkit.StubReply.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;

import dev.flowgentic4j.testkit.OpenAiStub;
import dev.flowgentic4j.testkit.StubReply;
import dev.flowgentic4j.testkit.StubRequest.ToolResult;
import dev.flowgentic4j.tools.AgentTools;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.service.tool.ToolExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.prebuilt.MessagesState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReactAgentTest {
    private AgentFixture fixture;
    private OpenAiStub stub;

    @BeforeEach
    void setUp() {
        fixture = new AgentFixture();
        stub = fixture.stub.requireToolResults();      // rejects what OpenAI rejects: unanswered tool_call_ids
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private static StubReply.ToolCall idCall(String id, String name, String arguments) {
        return new StubReply.ToolCall(id, name, arguments);
    }

    private AgentExecutor.State ask(StateGraph<AgentExecutor.State> agent, String question) {
        return Graphs.compile(agent).invoke(Map.of("messages", UserMessage.from(question))).orElseThrow();
    }

    @Test
    void unknown_tool_gets_an_error_result_and_the_conversation_goes_on_to_a_final_answer() {
        stub.enqueue(toolCalls(idCall("call_1", "closeTicket", "{}")), text("I cannot close tickets."));

        AgentExecutor.State state = ask(fixture.wrappers.reactAgent(fixture.model(), fixture.tools(), ReactAgentConfig.ofDefaults()), "close it");

        assertThat(state.finalResponse()).contains("I cannot close tickets.");
        assertThat(stub.requests()).hasSize(2);
        assertThat(stub.requests().get(1).toolResults()).containsExactly(new ToolResult("call_1",
                "Error: there is no tool named 'closeTicket'; available tools: " + AgentFixture.TOOL_NAMES));
        assertThat(stub.requests().get(1).unansweredToolCallIds()).isEmpty();
    }

    @Test
    void every_call_of_a_turn_is_answered_in_request_order_with_its_id() {
        stub.enqueue(toolCalls(idCall("a", "increment", "{\"who\":\"x\"}"), idCall("b", "nope", "{}"),
                idCall("c", "shout", "{\"text\":\"hi\"}"), idCall("d", "increment", "not json")), text("done"));

        AgentExecutor.State state = ask(fixture.wrappers.reactAgent(fixture.model(), fixture.tools(), ReactAgentConfig.ofDefaults()), "go");

        assertThat(state.finalResponse()).contains("done");
        List<ToolResult> results = stub.requests().get(1).toolResults();
        assertThat(results).extracting(ToolResult::toolCallId).containsExactly("a", "b", "c", "d");
        assertThat(results.subList(0, 3)).containsExactly(
                new ToolResult("a", "1"),
                new ToolResult("b", "Error: there is no tool named 'nope'; available tools: " + AgentFixture.TOOL_NAMES),
                new ToolResult("c", "HI"));
        assertThat(results.get(3).content())
                .startsWith("Error: invalid arguments for tool 'increment': arguments are not valid JSON");
        assertThat(fixture.counter.join().hits()).isEqualTo(1);
    }

    @Test
    void concurrent_tool_calls_run_together_on_the_backend_and_give_the_same_results_in_order() {
        // two calls that can only finish if they run at the same time: each waits for the other
        CyclicBarrier bothRunning = new CyclicBarrier(2);
        ToolExecutor meet = (request, memoryId) -> {
            try {
                bothRunning.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (BrokenBarrierException | TimeoutException e) {
                throw new IllegalStateException("the other call never ran alongside", e);
            }
            return request.arguments() + (Thread.currentThread().getName().startsWith("flowgentic4j-local-")
                    ? " on the backend" : " elsewhere");
        };
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.merge(fixture.tools(),
                Map.of(ToolSpecification.builder().name("meet").description("Meets the other call").build(), meet));
        stub.enqueue(toolCalls(idCall("m1", "meet", "{}"), idCall("u", "ghost", "{}"),
                idCall("i", "increment", "{\"who\":\"a\"}"),
                idCall("m2", "meet", "[]")), text("met"));

        AgentExecutor.State state = ask(fixture.wrappers.reactAgent(fixture.model(), tools,
                ReactAgentConfig.builder().executeToolsConcurrently().build()), "meet");

        assertThat(state.finalResponse()).contains("met");
        assertThat(stub.requests().get(1).toolResults()).containsExactly(
                new ToolResult("m1", "{} on the backend"),
                new ToolResult("u", "Error: there is no tool named 'ghost'; available tools: "
                        + "counter_value, increment, meet, shout"),
                new ToolResult("i", "1"),
                new ToolResult("m2", "[] on the backend"));
    }

    @Test
    void concurrent_and_sequential_agents_send_back_the_same_results() {
        Map<ToolSpecification, ToolExecutor> tools = fixture.tools();
        List<List<ToolResult>> sent = new ArrayList<>();
        for (ReactAgentConfig config : List.of(ReactAgentConfig.ofDefaults(),
                ReactAgentConfig.builder().executeToolsConcurrently(Runnable::run).build(),
                ReactAgentConfig.builder().executeToolsConcurrently().build())) {
            stub.enqueue(toolCalls(idCall("a", "shout", "{\"text\":\"a\"}"), idCall("b", "x", "{}"),
                    idCall("c", "shout", "{}"), idCall("d", "counter_value", "{}")), text("ok"));
            ask(fixture.wrappers.reactAgent(fixture.model(), tools, config), "go");
            sent.add(stub.lastRequest().toolResults());
        }

        assertThat(sent.get(0)).hasSize(4).extracting(ToolResult::toolCallId).containsExactly("a", "b", "c", "d");
        assertThat(sent.get(1)).isEqualTo(sent.get(0));
        assertThat(sent.get(2)).isEqualTo(sent.get(0));
    }

    /** An executor that runs each command at once on the caller's thread and counts them in {@code ran}. */
    private static java.util.concurrent.Executor countingExecutor(java.util.concurrent.atomic.AtomicInteger ran) {
        return command -> {
            ran.incrementAndGet();
            command.run();
        };
    }

    @Test
    void concurrent_tool_calls_run_on_the_executor_given_in_the_config() {
        java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.Executor counting = countingExecutor(ran);
        stub.enqueue(toolCalls(idCall("a", "shout", "{\"text\":\"a\"}"), idCall("b", "ghost", "{}"),
                idCall("c", "counter_value", "{}")), text("ok"));

        ask(fixture.wrappers.reactAgent(fixture.model(), fixture.tools(),
                ReactAgentConfig.builder().executeToolsConcurrently(counting).build()), "go");

        assertThat(ran).hasValue(2);                      // the two known tools; the unknown one is answered at once
        assertThat(stub.lastRequest().toolResults()).extracting(ToolResult::toolCallId).containsExactly("a", "b", "c");
    }

    @Test
    void a_turn_with_one_tool_call_runs_it_on_the_graph_thread_even_when_calls_are_concurrent() {
        java.util.concurrent.atomic.AtomicInteger handedOff = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.Executor counting = countingExecutor(handedOff);
        List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        ToolExecutor where = (request, memoryId) -> {
            threads.add(Thread.currentThread().getName());
            return "ran";
        };
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.merge(fixture.tools(),
                Map.of(ToolSpecification.builder().name("where").description("Says where it ran").build(), where));
        stub.enqueue(toolCalls(idCall("w1", "where", "{}")), toolCalls(idCall("w2", "where", "{}"),
                idCall("w3", "where", "{}")), text("done"));
        String caller = Thread.currentThread().getName();

        AgentExecutor.State state = ask(fixture.wrappers.reactAgent(fixture.model(), tools,
                ReactAgentConfig.builder().executeToolsConcurrently(counting).build()), "where");

        assertThat(state.finalResponse()).contains("done");
        assertThat(threads).hasSize(3).first().isEqualTo(caller);   // the lone call: no hand-off
        assertThat(handedOff).hasValue(2);                            // the turn with two calls: both on the executor
        assertThat(stub.requests().get(1).toolResults()).containsExactly(new ToolResult("w1", "ran"));
        assertThat(stub.requests().get(2).toolResults()).extracting(ToolResult::toolCallId)
                .containsExactly("w1", "w2", "w3");
    }

    @Test
    void max_iterations_ends_the_run_with_a_clear_final_response() {
        stub.enqueue(toolCalls(idCall("r1", "increment", "{\"who\":\"a\"}")),
                toolCalls(idCall("r2", "increment", "{\"who\":\"a\"}")));

        AgentExecutor.State state = ask(fixture.wrappers.reactAgent(fixture.model(), fixture.tools(),
                ReactAgentConfig.builder().maxIterations(2).build()), "loop");

        assertThat(state.finalResponse())
                .contains("Stopped after 2 tool rounds without a final answer (maxIterations = 2)");
        assertThat(stub.requests()).hasSize(2);
        assertThat(fixture.counter.join().hits()).isEqualTo(2);          // the last round was answered too
        assertThat(state.lastMessage()).get().extracting(m -> m.type().name()).isEqualTo("TOOL_EXECUTION_RESULT");
    }

    @Test
    void the_default_guard_stops_before_langgraph4j_recursion_limit() {
        for (int i = 0; i < ReactAgentConfig.DEFAULT_MAX_ITERATIONS; i++) {
            stub.enqueue(toolCalls(call("counter_value", "{}")));
        }

        AgentExecutor.State state = ask(fixture.wrappers.reactAgent(fixture.model(), fixture.tools(), ReactAgentConfig.ofDefaults()), "loop");

        assertThat(state.finalResponse()).get().asString()
                .startsWith("Stopped after " + ReactAgentConfig.DEFAULT_MAX_ITERATIONS + " tool rounds");
        assertThat(stub.requests()).hasSize(ReactAgentConfig.DEFAULT_MAX_ITERATIONS);
    }

    @Test
    void the_guard_counts_rounds_since_the_last_user_message() {
        CompiledGraph<AgentExecutor.State> agent = Graphs.compile(fixture.wrappers.reactAgent(fixture.model(),
                fixture.tools(), ReactAgentConfig.builder().maxIterations(1).build()));
        stub.enqueue(toolCalls(call("counter_value", "{}")), toolCalls(call("counter_value", "{}")));

        AgentExecutor.State first = agent.invoke(Map.of("messages", UserMessage.from("one"))).orElseThrow();
        List<ChatMessage> conversation = new ArrayList<>(first.messages());
        conversation.add(UserMessage.from("two"));
        AgentExecutor.State second = agent.invoke(Map.of("messages", conversation)).orElseThrow();

        assertThat(first.finalResponse()).get().asString().startsWith("Stopped after 1 tool rounds");
        assertThat(second.finalResponse()).get().asString().startsWith("Stopped after 1 tool rounds");
    }

    @Test
    void a_tool_executor_that_throws_becomes_a_result_text() {
        ToolExecutor boom = (request, memoryId) -> {
            throw new IllegalStateException("boom");
        };
        stub.enqueue(toolCalls(idCall("x", "explode", "{}")), text("survived"));

        AgentExecutor.State state = ask(fixture.wrappers.reactAgent(fixture.model(),
                Map.of(ToolSpecification.builder().name("explode").build(), boom), ReactAgentConfig.ofDefaults()), "go");

        assertThat(state.finalResponse()).contains("survived");
        assertThat(stub.lastRequest().toolResults())
                .containsExactly(new ToolResult("x", "Error: tool 'explode' failed: IllegalStateException: boom"));
    }

    @Test
    void the_system_message_of_the_config_comes_first_and_the_tools_are_offered() {
        stub.enqueue(toolCalls(idCall("s", "nothing", "{}")), text("brief"));

        AgentExecutor.State state = ask(fixture.wrappers.reactAgent(fixture.model(), fixture.tools(),
                ReactAgentConfig.builder().systemMessage("Be brief.").build()), "hi");

        assertThat(state.finalResponse()).contains("brief");
        assertThat(stub.requests().get(0).messages().get(0).path("content").asText()).isEqualTo("Be brief.");
        assertThat(stub.requests().get(0).toolNames()).containsExactlyInAnyOrder("increment", "counter_value", "shout");
        assertThat(stub.lastRequest().unansweredToolCallIds()).isEmpty();
    }

    @Test
    void bad_config_values_are_refused_at_once_naming_the_setting() {
        assertThatThrownBy(() -> ReactAgentConfig.builder().maxIterations(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxIterations");
        assertThatThrownBy(() -> ReactAgentConfig.builder().systemMessage(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("systemMessage");
    }

    @Test
    void the_response_format_of_the_config_reaches_the_model() {
        stub.enqueue(text("{\"answer\":42}"));

        AgentExecutor.State state = ask(fixture.wrappers.reactAgent(fixture.model(), fixture.tools(),
                ReactAgentConfig.builder().responseFormat(ResponseFormat.JSON).build()), "json please");

        assertThat(state.finalResponse()).contains("{\"answer\":42}");
        assertThat(stub.requests().get(0).body().path("response_format").path("type").asText())
                .isEqualTo("json_object");
    }

    @Test
    void as_a_subgraph_beside_a_service_node_it_shares_the_one_live_service() {
        CompiledGraph<AgentExecutor.State> agent = Graphs.compile(fixture.wrappers.reactAgent(fixture.model(),
                fixture.tools(), ReactAgentConfig.builder().stateSerializer(AgentExecutor.Serializers.STD.object())
                        .executeToolsConcurrently().build()));
        CompiledGraph<AgentExecutor.State> graph = Graphs.compile(Graphs.define(() ->
                new StateGraph<>(MessagesState.SCHEMA, AgentExecutor.Serializers.STD.object())
                        .addNode("warm_up", fixture.wrappers.<Counter, AgentExecutor.State>serviceNode(fixture.counter,
                                (c, state) -> Map.of("messages",
                                        UserMessage.from("counter " + c.id() + " at " + c.increment("node")))))
                        .addNode("agent", agent)
                        .addEdge(START, "warm_up")
                        .addEdge("warm_up", "agent")
                        .addEdge("agent", END)));
        for (int run = 1; run <= 3; run++) {
            stub.enqueue(toolCalls(call("increment", "{\"who\":\"agent\"}"), call("missing", "{}")),
                    text("run " + run + " done"));
        }

        for (int run = 1; run <= 3; run++) {
            AgentExecutor.State state = graph.invoke(Map.of("messages", UserMessage.from("run " + run))).orElseThrow();
            assertThat(state.finalResponse()).contains("run " + run + " done");
        }

        assertThat(fixture.coldStarts.get()).isEqualTo(1);
        assertThat(fixture.counter.join().hits()).isEqualTo(6);
        assertThat(stub.requests()).hasSize(6).allSatisfy(r -> assertThat(r.unansweredToolCallIds()).isEmpty());
        assertThat(stub.requests().get(5).latestToolResults()).containsExactly("6",
                "Error: there is no tool named 'missing'; available tools: " + AgentFixture.TOOL_NAMES);
    }
}
