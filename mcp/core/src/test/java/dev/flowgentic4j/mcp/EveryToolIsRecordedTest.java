package dev.flowgentic4j.mcp;

import static dev.flowgentic4j.testkit.StubReply.call;
import static dev.flowgentic4j.testkit.StubReply.text;
import static dev.flowgentic4j.testkit.StubReply.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.Graphs;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.integration.ReactAgentConfig;
import dev.flowgentic4j.testkit.OpenAiStub;
import dev.flowgentic4j.tools.AgentTools;
import dev.flowgentic4j.tools.ToolArguments;
import dev.flowgentic4j.tools.ToolCallExecutor;
import dev.flowgentic4j.tools.ToolParameter;
import dev.flowgentic4j.workflows.FlowType;
import dev.flowgentic4j.workflows.FunctionTask;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.CallMetrics;
import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import dev.flowgentic4j.workflows.telemetry.FlowEvent;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way to make a tool, and each one's calls recorded: a TOOL event pair in the engine's
 * telemetry with the tool's name, flow type and (for a service) instance, counted in the metrics, an
 * error result counted as an error. {@link #the_list_names_every_public_way_to_make_a_tool} fails
 * when a new public tool factory appears that this list does not cover.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EveryToolIsRecordedTest {
    private static final Duration READY = Duration.ofSeconds(30);
    private static final List<ToolParameter> WHO = List.of(ToolParameter.required("who", String.class, "a name"));

    /** A service with one tool method. */
    public static final class Greeter {
        private final AtomicInteger greetings = new AtomicInteger();

        @Tool("Greets someone")
        public String greet(@P("a name") String who) {
            return "hello " + who + " #" + greetings.incrementAndGet();
        }
    }

    /** A plain langchain4j tool, made by no flowgentic4j factory; it throws on anything but an object. */
    private static final ToolExecutor PLAIN = (request, memoryId) -> {
        if (!request.arguments().trim().startsWith("{")) {
            throw new IllegalArgumentException("not an object");
        }
        return "plain ok";
    };

    private LangGraphIntegration integration;
    private ExecutionWrappers wrappers;
    private ServiceFuture<Greeter> greeter;
    private ServiceFuture<McpServer> fixture;
    private FunctionTask<ToolArguments, ?> echoTask;

    /**
     * One way to make a tool: the public factory (class#method/arity) it exercises, how it makes a
     * tool named {@code tool}, and whether its calls carry the service's id.
     */
    record Way(String factory, String tool, FlowType flowType, boolean onService,
               Function<EveryToolIsRecordedTest, Map<ToolSpecification, ToolExecutor>> make) {
        @Override
        public String toString() {
            return factory;
        }
    }

    static List<Way> ways() {
        return List.of(
                new Way("AgentTools#function/3", "t_agent_function", FlowType.AGENT_TOOL_AS_FUNCTION, false,
                        t -> AgentTools.function(t.echoTask, "echoes", WHO)),
                new Way("AgentTools#serviceFunction/6", "t_agent_service_function", FlowType.AGENT_TOOL_AS_SERVICE, true,
                        t -> AgentTools.serviceFunction(t.greeter, "t_agent_service_function", "greets", WHO,
                                (g, args) -> g.greet(args.get("who", String.class)), READY)),
                new Way("AgentTools#serviceObject/3", "greet", FlowType.AGENT_TOOL_AS_SERVICE, true,
                        t -> AgentTools.serviceObject(t.greeter, Greeter.class, READY)),
                new Way("ExecutionWrappers#agentToolAsFunction/4", "t_wrappers_function",
                        FlowType.AGENT_TOOL_AS_FUNCTION, false,
                        t -> t.wrappers.agentToolAsFunction("t_wrappers_function", "echoes", WHO,
                                args -> "hi " + args.get("who", String.class))),
                new Way("ExecutionWrappers#agentToolAsFunction/5", "t_wrappers_function_retry",
                        FlowType.AGENT_TOOL_AS_FUNCTION, false,
                        t -> t.wrappers.agentToolAsFunction("t_wrappers_function_retry", "echoes", WHO,
                                args -> "hi " + args.get("who", String.class), RetryConfig.noRetry())),
                new Way("ExecutionWrappers#agentToolAsService/2", "greet", FlowType.AGENT_TOOL_AS_SERVICE, true,
                        t -> t.wrappers.agentToolAsService(t.greeter, Greeter.class)),
                new Way("ExecutionWrappers#agentToolAsService/5", "t_wrappers_service", FlowType.AGENT_TOOL_AS_SERVICE,
                        true, t -> t.wrappers.agentToolAsService(t.greeter, "t_wrappers_service", "greets", WHO,
                                (g, args) -> g.greet(args.get("who", String.class)))),
                new Way("ToolCallExecutor.Builder#task/1", "t_path_task", FlowType.AGENT_TOOL_AS_FUNCTION, false,
                        t -> single(ToolCallExecutor.builder("t_path_task").parameters(WHO).task(t.echoTask))),
                new Way("ToolCallExecutor.Builder#service/3", "t_path_service", FlowType.AGENT_TOOL_AS_SERVICE, true,
                        t -> single(ToolCallExecutor.builder("t_path_service").parameters(WHO).service(t.greeter, READY,
                                (g, args) -> g.greet(args.get("who", String.class))))),
                new Way("ToolCallExecutor.Builder#function/2", "t_path_function", FlowType.AGENT_TOOL_AS_FUNCTION,
                        false, t -> single(ToolCallExecutor.builder("t_path_function").parameters(WHO)
                                .function(t.integration.telemetry(), args -> "hi " + args.get("who", String.class)))),
                new Way("ToolCallExecutor#observe/3", "t_observe", FlowType.AGENT_TOOL_AS_FUNCTION, false,
                        t -> Map.of(spec("t_observe"), ToolCallExecutor.observe("t_observe", PLAIN,
                                t.integration.telemetry()))),
                new Way("ToolCallExecutor#observeAll/2", "t_observe_all", FlowType.AGENT_TOOL_AS_FUNCTION, false,
                        t -> ToolCallExecutor.observeAll(Map.of(spec("t_observe_all"), PLAIN), t.integration.telemetry())),
                new Way("McpTools#of/1", "add", FlowType.AGENT_TOOL_AS_SERVICE, true,
                        t -> McpTools.of(t.fixture)),
                new Way("McpTools.Builder#build/0", "fx_add", FlowType.AGENT_TOOL_AS_SERVICE, true,
                        t -> McpTools.builder(t.fixture).prefix("fx_").build()));
    }

    /** Good arguments for each tool: the MCP fixture's add takes two integers, the rest a name. */
    private static String goodArguments(String tool) {
        return tool.endsWith("add") ? "{\"a\":2,\"b\":40}" : "{\"who\":\"Ada\"}";
    }

    @BeforeAll
    void start() {
        integration = LangGraphIntegration.create();
        wrappers = integration.executionWrappers();
        greeter = wrappers.serviceTask("greeter", Greeter::new).start();
        fixture = wrappers.serviceTask(McpServices.definition(FixtureServers.direct("fixture"), McpOptions.ofDefaults())
                .retry(RetryConfig.noRetry()).build()).start(null);
        echoTask = wrappers.functionTask("t_agent_function", args -> "hi " + args.get("who", String.class));
        greeter.join();
        fixture.join();
    }

    @AfterAll
    void stop() {
        integration.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ways")
    void each_call_of_a_tool_is_a_tool_event_and_counted_in_the_metrics(Way way) {
        Map<ToolSpecification, ToolExecutor> tools = way.make().apply(this);
        ToolExecutor tool = tools.entrySet().stream().filter(e -> e.getKey().name().equals(way.tool()))
                .map(Map.Entry::getValue).findFirst().orElseThrow();
        assertThat(tool).as("on the one tool path").isInstanceOf(ToolCallExecutor.class);
        CallMetrics before = toolMetrics(way);

        List<FlowEvent> events;
        ToolExecutionResult good;
        ToolExecutionResult bad;
        try (EventRecorder recorder = integration.telemetry().record()) {
            good = tool.executeWithContext(request(way.tool(), goodArguments(way.tool())), context());
            bad = ((ToolCallExecutor) tool).executeAsync(request(way.tool(), "not json"), context()).join();
            events = recorder.events();
        }

        assertThat(good.isError()).as(good.resultText()).isFalse();
        assertThat(bad.isError()).isTrue();
        assertThat(bad.resultText()).startsWith("Error:");
        List<CallEvent> toolEvents = events.stream().filter(e -> e instanceof CallEvent c
                && c.kind() == CallEvent.Kind.TOOL).map(CallEvent.class::cast).toList();
        assertThat(toolEvents).extracting(CallEvent::phase, CallEvent::name, CallEvent::flowType)
                .containsExactly(
                        tuple(CallEvent.Phase.START, way.tool(), way.flowType()),
                        tuple(CallEvent.Phase.END, way.tool(), way.flowType()),
                        tuple(CallEvent.Phase.START, way.tool(), way.flowType()),
                        tuple(CallEvent.Phase.END, way.tool(), way.flowType()));
        assertThat(toolEvents.get(1).outcome()).isEqualTo(CallEvent.Outcome.SUCCESS);
        assertThat(toolEvents.get(3).outcome()).isEqualTo(CallEvent.Outcome.FAILURE);
        assertThat(toolEvents.get(3).error()).contains(way.tool());
        String serviceId = way.factory().startsWith("Mcp") ? fixture.id() : greeter.id();
        assertThat(toolEvents).extracting(CallEvent::serviceId).containsOnly(way.onService() ? serviceId : null);

        CallMetrics after = toolMetrics(way);
        assertThat(after.calls() - before.calls()).isEqualTo(2);
        assertThat(after.errors() - before.errors()).isEqualTo(1);
    }

    @Test
    void a_plain_langchain4j_tool_run_by_the_react_agent_is_recorded_too() {
        ToolSpecification spec = spec("plain_tool");
        try (OpenAiStub stub = OpenAiStub.start().requireToolResults();
             EventRecorder recorder = integration.telemetry().record()) {
            stub.enqueue(toolCalls(call("plain_tool", "{}"), call("plain_tool", "[1]")), text("done"));
            OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(stub.baseUrl()).apiKey("test")
                    .modelName("stub-model").build();

            AgentExecutor.State state = Graphs.compile(wrappers.reactAgent(model, Map.of(spec, PLAIN),
                    ReactAgentConfig.ofDefaults())).invoke(Map.of("messages", UserMessage.from("go"))).orElseThrow();

            assertThat(state.finalResponse()).hasValue("done");
            assertThat(recorder.events()).filteredOn(e -> e instanceof CallEvent c && c.kind() == CallEvent.Kind.TOOL
                            && c.phase() == CallEvent.Phase.END)
                    .extracting(e -> ((CallEvent) e).name() + " " + ((CallEvent) e).flowType() + " "
                            + ((CallEvent) e).outcome())
                    .containsExactly("plain_tool AGENT_TOOL_AS_FUNCTION SUCCESS",
                            "plain_tool AGENT_TOOL_AS_FUNCTION FAILURE");
            assertThat(stub.requests().get(1).latestToolResults()).containsExactly("plain ok",
                    "Error: tool 'plain_tool' failed: IllegalArgumentException: not an object");
        }
        CallMetrics metrics = integration.telemetry().metrics().snapshot()
                .call(CallEvent.Kind.TOOL, "plain_tool").orElseThrow();
        assertThat(metrics.calls()).isEqualTo(2);
        assertThat(metrics.errors()).isEqualTo(1);
    }

    @Test
    void the_list_names_every_public_way_to_make_a_tool() {
        Set<String> covered = new TreeSet<>(ways().stream().map(Way::factory).toList());
        covered.add("ExecutionWrappers#reactAgent/3");        // puts plain tools on the path: the test above

        Set<String> factories = new TreeSet<>();
        for (Class<?> type : List.of(AgentTools.class, ExecutionWrappers.class, McpTools.class, McpTools.Builder.class,
                ToolCallExecutor.class, ToolCallExecutor.Builder.class)) {
            for (Method method : type.getDeclaredMethods()) {
                if (Modifier.isPublic(method.getModifiers()) && makesTools(method)) {
                    factories.add(type.getName().substring(type.getPackageName().length() + 1).replace('$', '.')
                            + "#" + method.getName() + "/" + method.getParameterCount());
                }
            }
        }
        factories.remove("AgentTools#merge/1");               // combines tools made elsewhere

        assertThat(factories).as("public ways to make or run a tool; each needs a case in ways()")
                .isEqualTo(covered);
    }

    /** Returns tools ({@code Map<ToolSpecification, ToolExecutor>} or a {@link ToolCallExecutor}) or takes them. */
    private static boolean makesTools(Method method) {
        if (method.getReturnType() == ToolCallExecutor.class) {
            return true;
        }
        Stream<Type> types = Stream.concat(Stream.of(method.getGenericReturnType()),
                Stream.of(method.getGenericParameterTypes()).filter(t -> method.getName().equals("reactAgent")));
        return types.anyMatch(type -> type instanceof ParameterizedType p && p.getRawType() == Map.class
                && p.getActualTypeArguments()[1] == ToolExecutor.class);
    }

    private CallMetrics toolMetrics(Way way) {
        return integration.telemetry().metrics().snapshot().call(CallEvent.Kind.TOOL, way.tool())
                .filter(m -> m.flowType() == way.flowType())
                .orElse(new CallMetrics(CallEvent.Kind.TOOL, way.tool(), way.flowType(), 0, 0, 0, 0, 0,
                        dev.flowgentic4j.workflows.telemetry.Latency.NONE));
    }

    private static Map<ToolSpecification, ToolExecutor> single(ToolCallExecutor executor) {
        Map<ToolSpecification, ToolExecutor> tools = new LinkedHashMap<>();
        tools.put(executor.specification("a tool"), executor);
        return tools;
    }

    private static ToolSpecification spec(String name) {
        return ToolSpecification.builder().name(name).description("a plain tool").build();
    }

    private static ToolExecutionRequest request(String name, String arguments) {
        return ToolExecutionRequest.builder().id("call_" + name).name(name).arguments(arguments).build();
    }

    private static InvocationContext context() {
        return InvocationContext.builder().chatMemoryId("memory").build();
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }
}
