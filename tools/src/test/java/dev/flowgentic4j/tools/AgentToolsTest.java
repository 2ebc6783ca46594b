package dev.flowgentic4j.tools;

import static dev.flowgentic4j.testkit.StubReply.call;
import static dev.flowgentic4j.testkit.StubReply.text;
import static dev.flowgentic4j.testkit.StubReply.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgentic4j.testkit.OpenAiStub;
import dev.flowgentic4j.testkit.StubReply;
import dev.flowgentic4j.testkit.StubRequest;
import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.FunctionTask;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentToolsTest {
    private static final Duration READY = Duration.ofSeconds(10);

    interface Assistant {
        String chat(String message);
    }

    private OpenAiStub stub;
    private FlowEngine engine;
    private final AtomicInteger coldStarts = new AtomicInteger();
    private ServiceTask<String, TicketDesk> deskTask;

    @BeforeEach
    void setUp() {
        stub = OpenAiStub.start();
        engine = FlowEngine.create(EngineConfig.builder().serviceRetry(RetryConfig.noRetry())
                .taskRetry(RetryConfig.noRetry()).build());
        deskTask = engine.serviceTask("ticket_desk", id -> {
            coldStarts.incrementAndGet();
            return new TicketDesk(id);
        });
    }

    @AfterEach
    void tearDown() {
        engine.close();
        stub.close();
    }

    private ChatModel model() {
        return OpenAiChatModel.builder().baseUrl(stub.baseUrl()).apiKey("test-key").modelName("stub-model")
                .maxRetries(0).timeout(Duration.ofSeconds(30)).build();
    }

    private Assistant assistant(Map<ToolSpecification, ToolExecutor> tools) {
        return AiServices.builder(Assistant.class).chatModel(model()).tools(tools)
                .hallucinatedToolNameStrategy(AgentTools.unknownToolStrategy(tools)).build();
    }

    /** Runs one conversation in which the model calls {@code name} with {@code arguments}; returns the tool result the stub got. */
    private String toolResultFor(Map<ToolSpecification, ToolExecutor> tools, String name, String arguments) {
        stub.enqueue(toolCalls(call(name, arguments)), text("understood"));
        assertThat(assistant(tools).chat("go")).isEqualTo("understood");
        return stub.lastRequest().latestToolResults().get(0);
    }

    @Test
    void function_tool_offers_a_schema_from_parameter_types_and_runs_as_a_function_task() {
        FunctionTask<ToolArguments, String> task = engine.functionTask("forecast",
                args -> args.get("city", String.class) + " for " + args.optional("days", Integer.class).orElse(1)
                        + " day(s): sunny, tags " + args.optional("tags", List.class).orElse(List.of()));
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.function(task, "Weather forecast for a city", List.of(
                ToolParameter.required("city", String.class, "the city"),
                ToolParameter.optional("days", Integer.class, "how many days"),
                ToolParameter.optional("tags", new com.fasterxml.jackson.core.type.TypeReference<List<String>>() { }
                        .getType(), "labels")));

        String result = toolResultFor(tools, "forecast", "{\"city\":\"Oslo\",\"days\":3,\"tags\":[\"a\",\"b\"]}");

        assertThat(result).isEqualTo("Oslo for 3 day(s): sunny, tags [a, b]");
        JsonNode schema = stub.requests().get(0).toolParameters("forecast").orElseThrow();
        assertThat(schema.path("properties").path("city").path("type").asText()).isEqualTo("string");
        assertThat(schema.path("properties").path("days").path("type").asText()).isEqualTo("integer");
        assertThat(schema.path("properties").path("tags").path("type").asText()).isEqualTo("array");
        assertThat(schema.path("properties").path("tags").path("items").path("type").asText()).isEqualTo("string");
        assertThat(schema.path("required").toString()).isEqualTo("[\"city\"]");
        assertThat(stub.requests().get(0).body().path("tools").get(0).path("function").path("description").asText())
                .isEqualTo("Weather forecast for a city");
    }

    @Test
    void service_object_tools_offer_the_tool_methods_and_call_the_live_instance() {
        ServiceFuture<TicketDesk> desk = deskTask.start("desk-A");
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(desk, TicketDesk.class, READY);

        String result = toolResultFor(tools, "openTicket", "{\"customer\":\"ada\",\"priority\":2}");

        assertThat(result).isEqualTo("ticket 1 for ada at priority 2 on desk-A");
        StubRequest first = stub.requests().get(0);
        assertThat(first.toolNames()).containsExactlyInAnyOrder("explode", "openTicket", "ticketCount");
        JsonNode schema = first.toolParameters("openTicket").orElseThrow();
        assertThat(schema.path("properties").path("priority").path("type").asText()).isEqualTo("integer");
        assertThat(schema.path("properties").path("customer").path("description").asText())
                .isEqualTo("who the ticket is for");
        assertThat(desk.join().calls()).isEqualTo(1);
        assertThat(desk.callCount()).isEqualTo(1);
    }

    @Test
    void three_conversations_with_several_tool_calls_each_share_one_cold_start() {
        ServiceFuture<TicketDesk> desk = deskTask.start("desk-A");
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.merge(
                AgentTools.serviceObject(desk, TicketDesk.class, READY),
                AgentTools.serviceFunction(desk, "desk_calls", "How many calls the desk served", List.of(),
                        (service, args) -> service.calls(), READY));
        Assistant assistant = assistant(tools);

        for (String customer : List.of("ada", "bob", "cy")) {
            stub.enqueue(
                    toolCalls(call("openTicket", "{\"customer\":\"" + customer + "\",\"priority\":1}")),
                    toolCalls(call("openTicket", "{\"customer\":\"" + customer + "\",\"priority\":5}"),
                            call("ticketCount", "{\"customer\":\"" + customer + "\"}")),
                    toolCalls(call("desk_calls", "{}")),
                    text("done for " + customer));
            assertThat(assistant.chat("tickets for " + customer)).isEqualTo("done for " + customer);
        }

        assertThat(coldStarts.get()).isEqualTo(1);
        assertThat(deskTask.instances()).hasSize(1);
        List<String> results = new ArrayList<>();
        stub.requests().forEach(r -> results.addAll(r.latestToolResults()));
        assertThat(results).contains("ticket 1 for ada at priority 1 on desk-A", "2", "3",
                "ticket 8 for cy at priority 5 on desk-A", "9");
        assertThat(desk.join().calls()).isEqualTo(9);       // desk_calls reads but does not count itself
        assertThat(desk.callCount()).isEqualTo(12);         // every tool call went through the handle
    }

    @Test
    void malformed_json_arguments_become_a_tool_result_naming_the_problem() {
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(deskTask.start("d"), TicketDesk.class, READY);
        assertThat(toolResultFor(tools, "openTicket", "{\"customer\": ada"))
                .startsWith("Error: invalid arguments for tool 'openTicket': arguments are not valid JSON");
    }

    @Test
    void missing_required_argument_becomes_a_tool_result_naming_it() {
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(deskTask.start("d"), TicketDesk.class, READY);
        assertThat(toolResultFor(tools, "openTicket", "{\"customer\":\"ada\"}"))
                .startsWith("Error: invalid arguments for tool 'openTicket': missing required parameter 'priority'");
    }

    @Test
    void wrong_argument_type_becomes_a_tool_result_naming_the_parameter_and_type() {
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(deskTask.start("d"), TicketDesk.class, READY);
        assertThat(toolResultFor(tools, "openTicket", "{\"customer\":\"ada\",\"priority\":\"urgent\"}"))
                .isEqualTo("Error: invalid arguments for tool 'openTicket': parameter 'priority' must be an integer, "
                        + "got \"urgent\"");
        assertThat(toolResultFor(tools, "openTicket", "{\"customer\":\"ada\",\"priority\":2.5}"))
                .contains("parameter 'priority' must be an integer, got 2.5");
    }

    @Test
    void unknown_tool_name_becomes_a_tool_result_listing_the_real_tools() {
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(deskTask.start("d"), TicketDesk.class, READY);
        assertThat(toolResultFor(tools, "closeTicket", "{}"))
                .isEqualTo("Error: there is no tool named 'closeTicket'; available tools: explode, openTicket, ticketCount");
    }

    @Test
    void tool_that_throws_becomes_a_tool_result_with_the_exception() {
        ServiceFuture<TicketDesk> desk = deskTask.start("d");
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(desk, TicketDesk.class, READY);
        assertThat(toolResultFor(tools, "explode", "{\"reason\":\"test\"}"))
                .isEqualTo("Error: tool 'explode' failed: IllegalStateException: desk exploded: test");
        assertThat(desk.failedCallCount()).isEqualTo(1);
    }

    @Test
    void function_task_that_throws_a_checked_exception_becomes_a_tool_result() {
        FunctionTask<ToolArguments, String> task = engine.functionTask("flaky", args -> {
            throw new java.io.IOException("upstream down");
        });
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.function(task, "Flaky", List.of());
        assertThat(toolResultFor(tools, "flaky", "{}"))
                .isEqualTo("Error: tool 'flaky' failed: task 'flaky' failed after 1 attempt: IOException: upstream down");
    }

    @Test
    void service_still_starting_past_the_ready_timeout_becomes_a_tool_result() {
        CountDownLatch release = new CountDownLatch(1);
        ServiceTask<Void, TicketDesk> slow = engine.serviceTask("slow_desk", ignored -> {
            release.await();
            return new TicketDesk("slow");
        });
        ServiceFuture<TicketDesk> desk = slow.start(null);
        try {
            Map<ToolSpecification, ToolExecutor> tools =
                    AgentTools.serviceObject(desk, TicketDesk.class, Duration.ofMillis(50));
            assertThat(toolResultFor(tools, "ticketCount", "{\"customer\":\"ada\"}"))
                    .isEqualTo("Error: tool 'ticketCount' is unavailable: service 'slow_desk#1' is STARTING, "
                            + "expected RUNNING (not RUNNING within PT0.05S)");
        } finally {
            release.countDown();
        }
        assertThat(desk.join().calls()).isZero();
    }

    @Test
    void failed_service_becomes_a_tool_result_naming_service_and_state() {
        ServiceTask<Void, TicketDesk> broken = engine.serviceTask("broken_desk", ignored -> {
            throw new IllegalStateException("no credentials");
        });
        ServiceFuture<TicketDesk> desk = broken.start(null);
        desk.toCompletableFuture().handle((v, e) -> null).join();
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(desk, TicketDesk.class, READY);

        assertThat(toolResultFor(tools, "ticketCount", "{\"customer\":\"ada\"}"))
                .startsWith("Error: tool 'ticketCount' is unavailable: service 'broken_desk#1' is FAILED");
        assertThat(desk.state()).isEqualTo(ServiceState.FAILED);
    }

    @Test
    void cancelled_service_becomes_a_tool_result_naming_service_and_state() {
        ServiceFuture<TicketDesk> desk = deskTask.start("d");
        desk.join();
        desk.cancel(true);
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(desk, TicketDesk.class, READY);

        assertThat(toolResultFor(tools, "ticketCount", "{\"customer\":\"ada\"}"))
                .startsWith("Error: tool 'ticketCount' is unavailable: service 'ticket_desk#1' is TERMINATED");
    }

    @Test
    void sixteen_concurrent_conversations_with_parallel_tool_calls_keep_the_service_count_exact() throws Exception {
        ServiceFuture<TicketDesk> desk = deskTask.start("shared");
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(desk, TicketDesk.class, READY);
        stub.respondWith(request -> {
            String customer = request.firstUserText();
            switch (request.assistantTurns()) {
                case 0:
                    return toolCalls(call("openTicket", "{\"customer\":\"" + customer + "\",\"priority\":1}"),
                            call("openTicket", "{\"customer\":\"" + customer + "\",\"priority\":2}"),
                            call("openTicket", "{\"customer\":\"" + customer + "\",\"priority\":3}"));
                case 1:
                    return toolCalls(call("ticketCount", "{\"customer\":\"" + customer + "\"}"));
                default:
                    return StubReply.text(customer + " has " + request.latestToolResults().get(0));
            }
        });
        ExecutorService toolThreads = Executors.newFixedThreadPool(8);
        ExecutorService conversations = Executors.newFixedThreadPool(16);
        try {
            Assistant assistant = AiServices.builder(Assistant.class).chatModel(model()).tools(tools)
                    .executeToolsConcurrently(toolThreads).build();
            List<CompletableFuture<String>> answers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String customer = "customer-" + i;
                answers.add(CompletableFuture.supplyAsync(() -> assistant.chat(customer), conversations));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < 16; i++) {
                assertThat(answers.get(i).join()).isEqualTo("customer-" + i + " has 3");
            }
        } finally {
            conversations.shutdownNow();
            toolThreads.shutdownNow();
        }
        assertThat(coldStarts.get()).isEqualTo(1);
        assertThat(desk.join().calls()).isEqualTo(16 * 4);
        assertThat(desk.callCount()).isEqualTo(16 * 4);
        assertThat(stub.requests()).hasSize(16 * 3);
    }

    @Test
    void tool_provider_offers_the_same_tools_to_ai_services() {
        ServiceFuture<TicketDesk> desk = deskTask.start("p");
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(desk, TicketDesk.class, READY);
        stub.enqueue(toolCalls(call("ticketCount", "{\"customer\":\"ada\"}")), text("zero"));
        Assistant assistant = AiServices.builder(Assistant.class).chatModel(model())
                .toolProvider(AgentTools.toolProvider(tools)).build();

        assertThat(assistant.chat("count")).isEqualTo("zero");
        assertThat(stub.requests().get(0).toolNames()).containsExactlyInAnyOrder("explode", "openTicket", "ticketCount");
        assertThat(stub.lastRequest().latestToolResults()).containsExactly("0");
    }
}
