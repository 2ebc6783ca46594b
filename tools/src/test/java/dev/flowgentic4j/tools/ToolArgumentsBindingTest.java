package dev.flowgentic4j.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the model's arguments are bound, calling the executors directly (no model in between). */
class ToolArgumentsBindingTest {
    private static final Duration READY = Duration.ofSeconds(10);

    private final FlowEngine engine = FlowEngine.create(EngineConfig.builder().serviceRetry(RetryConfig.noRetry())
            .taskRetry(RetryConfig.noRetry()).build());

    @AfterEach
    void tearDown() {
        engine.close();
    }

    private static String execute(Map<ToolSpecification, ToolExecutor> tools, String name, String arguments) {
        ToolExecutor executor = tools.entrySet().stream().filter(e -> e.getKey().name().equals(name))
                .map(Map.Entry::getValue).findFirst().orElseThrow();
        return executor.execute(ToolExecutionRequest.builder().id("1").name(name).arguments(arguments).build(), null);
    }

    private ServiceFuture<TicketDesk> desk() {
        return engine.<String, TicketDesk>serviceTask("desk", TicketDesk::new).start("d");
    }

    @Test
    void trailing_content_after_the_arguments_object_is_not_valid_json_and_the_tool_does_not_run() {
        AtomicInteger runs = new AtomicInteger();
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceFunction(desk(), "count", "Counts",
                List.of(ToolParameter.required("n", Integer.class, "a number")), (desk, args) -> {
                    runs.incrementAndGet();
                    return args.get("n", Integer.class);
                }, READY);

        for (String arguments : List.of("{\"n\":1} junk {\"n\":2}", "{\"n\":1} {\"n\":2}", "{\"n\":1}]", "{\"n\":1} 7")) {
            assertThat(execute(tools, "count", arguments))
                    .as(arguments)
                    .startsWith("Error: invalid arguments for tool 'count': arguments are not valid JSON");
        }
        assertThat(runs).hasValue(0);
        assertThat(execute(tools, "count", "  {\"n\":1}  \n")).isEqualTo("1");   // whitespace around is fine
    }

    @Test
    void trailing_content_is_refused_for_tool_methods_too() {
        ServiceFuture<TicketDesk> desk = desk();
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(desk, TicketDesk.class, READY);

        assertThat(execute(tools, "openTicket", "{\"customer\":\"ada\",\"priority\":1} {\"customer\":\"eve\"}"))
                .startsWith("Error: invalid arguments for tool 'openTicket': arguments are not valid JSON");
        assertThat(desk.join().calls()).isZero();
    }

    @Test
    void arguments_over_the_size_limit_are_refused_unparsed() {
        ServiceFuture<TicketDesk> desk = desk();
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(desk, TicketDesk.class, READY);
        String huge = "{\"customer\":\"" + "a".repeat(AgentTools.MAX_ARGUMENT_CHARS) + "\",\"priority\":1}";

        assertThat(execute(tools, "openTicket", huge))
                .startsWith("Error: invalid arguments for tool 'openTicket': arguments are too large");
        assertThat(desk.join().calls()).isZero();
    }

    @Test
    void an_optional_argument_left_out_is_null_and_an_undeclared_name_is_an_error() {
        List<String> seen = new java.util.ArrayList<>();
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceFunction(desk(), "forecast", "Forecast",
                List.of(ToolParameter.required("city", String.class, "the city"),
                        ToolParameter.optional("days", Integer.class, "how many days")), (desk, args) -> {
                    seen.add(args.get("city", String.class) + "/" + args.get("days", Integer.class) + "/"
                            + args.optional("days", Integer.class).orElse(1));
                    return args.get("dayz", Integer.class);
                }, READY);

        assertThat(execute(tools, "forecast", "{\"city\":\"Oslo\"}")).isEqualTo(
                "Error: tool 'forecast' failed: IllegalArgumentException: no parameter 'dayz'; declared: [city, days]");
        assertThat(execute(tools, "forecast", "{\"city\":\"Oslo\",\"days\":null}")).startsWith("Error:");
        assertThat(execute(tools, "forecast", "{\"city\":\"Oslo\",\"days\":3}")).startsWith("Error:");
        assertThat(seen).containsExactly("Oslo/null/1", "Oslo/null/1", "Oslo/3/3");
    }

    @Test
    void tool_arguments_refuse_values_for_undeclared_parameters() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new ToolArguments(Map.of("x", 1), List.of("y")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("argument 'x' is not a declared parameter; declared: [y]");
        assertThat(new ToolArguments(Map.of("x", 1)).get("x", Integer.class)).isEqualTo(1);
        assertThat(new ToolArguments(Map.of(), List.of("y")).get("y", Integer.class)).isNull();
    }

    record Point(int x, int y) { }

    @Test
    void scalars_lists_and_records_bind_to_their_declared_types_and_mismatches_name_the_parameter() {
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceFunction(desk(), "plot", "Plots",
                List.of(ToolParameter.required("label", String.class, "a label"),
                        ToolParameter.required("at", Point.class, "where"),
                        ToolParameter.optional("big", Long.class, "a long"),
                        ToolParameter.optional("shown", Boolean.class, "a flag"),
                        ToolParameter.optional("tags", new com.fasterxml.jackson.core.type.TypeReference<List<String>>() { }
                                .getType(), "tags")),
                (desk, args) -> args.get("label", String.class) + " " + args.get("at", Point.class) + " "
                        + args.get("big", Long.class) + " " + args.get("shown", Boolean.class) + " "
                        + args.get("tags", List.class), READY);

        assertThat(execute(tools, "plot", "{\"label\":\"p\",\"at\":{\"x\":1,\"y\":2},\"big\":9007199254740993,"
                + "\"shown\":true,\"tags\":[\"a\"]}")).isEqualTo("p Point[x=1, y=2] 9007199254740993 true [a]");
        assertThat(execute(tools, "plot", "{\"label\":\"p\",\"at\":{\"x\":1,\"y\":2},\"big\":7}"))
                .isEqualTo("p Point[x=1, y=2] 7 null null");
        assertThat(execute(tools, "plot", "{\"label\":\"p\",\"at\":{\"x\":\"left\",\"y\":2}}"))
                .isEqualTo("Error: invalid arguments for tool 'plot': parameter 'at' must be an object, "
                        + "got {\"x\":\"left\",\"y\":2}");
        assertThat(execute(tools, "plot", "{\"label\":\"p\",\"at\":{\"x\":1,\"y\":2},\"shown\":\"yes\"}"))
                .isEqualTo("Error: invalid arguments for tool 'plot': parameter 'shown' must be a boolean, got \"yes\"");
    }
}
