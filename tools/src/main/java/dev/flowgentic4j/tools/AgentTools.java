package dev.flowgentic4j.tools;

import dev.flowgentic4j.tools.internal.ServiceToolFactory;
import dev.flowgentic4j.workflows.FunctionTask;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.spi.Checks;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.langchain4j.service.tool.ToolProvider;
import dev.langchain4j.service.tool.ToolProviderResult;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * langchain4j tools backed by flowgentic4j tasks and persistent services, as the
 * {@code Map<ToolSpecification, ToolExecutor>} that {@code AiServices.tools(...)} and LangGraph4j's
 * {@code AgentExecutor} accept (or a {@link ToolProvider}).
 *
 * <p>Service-backed tools never hold the service instance: each call resolves it through
 * {@link ServiceFuture#call(Duration, dev.flowgentic4j.workflows.ServiceCall)} (waiting up to the
 * ready timeout), so graph nodes and tools share the one live instance and its call counts. Bad
 * input from the model (malformed JSON, a missing or mistyped argument), a tool that throws and a
 * service that is not RUNNING all become a tool result text beginning with {@code Error:} that
 * names the problem; the agent never crashes on them. Every tool made here is a {@link ToolCallExecutor}
 * (the one tool path), so each call is recorded as a TOOL event in the telemetry of the engine that
 * runs the task or service. All tools are thread-safe if their bodies are.
 *
 * <pre>{@code
 * ServiceFuture<WeatherClient> weather = weatherTask.start(credentials);
 * Map<ToolSpecification, ToolExecutor> tools = AgentTools.merge(
 *     AgentTools.serviceObject(weather, WeatherClient.class, Duration.ofSeconds(30)),
 *     AgentTools.serviceFunction(weather, "weather_calls", "How many calls the client made", List.of(),
 *         (client, args) -> client.calls(), Duration.ofSeconds(30)));
 * Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).tools(tools)
 *     .hallucinatedToolNameStrategy(AgentTools.unknownToolStrategy(tools)).build();
 * }</pre>
 */
public final class AgentTools {
    /** Arguments longer than this many characters are refused with an error result, unparsed. */
    public static final int MAX_ARGUMENT_CHARS = dev.flowgentic4j.tools.internal.ArgumentBinder.MAX_ARGUMENT_CHARS;

    private AgentTools() {}

    /**
     * AGENT_TOOL_AS_FUNCTION: a tool named after {@code task} whose every call runs the task (on the
     * backend, with its retry and timeout policy) with the bound arguments.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if two parameters share a name
     */
    public static Map<ToolSpecification, ToolExecutor> function(FunctionTask<ToolArguments, ?> task, String description,
            List<ToolParameter> parameters) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(description, "description");
        return ServiceToolFactory.function(task, description, List.copyOf(parameters));
    }

    /**
     * AGENT_TOOL_AS_SERVICE, function variant: a tool that applies {@code function} to the live
     * instance behind {@code service}, resolved at every call.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank, two parameters share a name, or
     *     {@code readyTimeout} is not positive
     */
    public static <S> Map<ToolSpecification, ToolExecutor> serviceFunction(ServiceFuture<S> service, String name,
            String description, List<ToolParameter> parameters, ServiceToolFunction<? super S> function,
            Duration readyTimeout) {
        Objects.requireNonNull(service, "service");
        Checks.requireName(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(function, "function");
        Checks.requirePositive(readyTimeout, "readyTimeout");
        return ServiceToolFactory.serviceFunction(service, name, description, List.copyOf(parameters), function,
                readyTimeout);
    }

    /**
     * AGENT_TOOL_AS_SERVICE, object variant: one tool per {@code @Tool} method of {@code toolType}
     * (specifications exactly as langchain4j derives them); each call invokes the method on the live
     * instance behind {@code service}, resolved at every call. The type is given because the
     * instance may not exist yet when the tools are offered. An argument the model left out is
     * {@code null}, the parameter's {@code @P(defaultValue)}, or an empty {@code Optional} for an
     * {@code Optional<T>} parameter; a primitive parameter without a default must be given.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code toolType} has no {@code @Tool} method, two share a
     *     name, a method has parameters other than model arguments and {@code @ToolMemoryId}, a
     *     {@code @P(defaultValue)} does not fit its parameter's type, or {@code readyTimeout} is not positive
     */
    public static <S> Map<ToolSpecification, ToolExecutor> serviceObject(ServiceFuture<? extends S> service,
            Class<S> toolType, Duration readyTimeout) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(toolType, "toolType");
        Checks.requirePositive(readyTimeout, "readyTimeout");
        return Collections.unmodifiableMap(ServiceToolFactory.serviceObject(service, toolType, readyTimeout));
    }

    /**
     * Combines tool maps, keeping their order.
     *
     * @throws IllegalArgumentException if two tools share a name
     */
    @SafeVarargs
    public static Map<ToolSpecification, ToolExecutor> merge(Map<ToolSpecification, ToolExecutor>... toolMaps) {
        Map<ToolSpecification, ToolExecutor> all = new LinkedHashMap<>();
        Map<String, ToolSpecification> byName = new LinkedHashMap<>();
        for (Map<ToolSpecification, ToolExecutor> tools : toolMaps) {
            for (Map.Entry<ToolSpecification, ToolExecutor> e : tools.entrySet()) {
                if (byName.putIfAbsent(e.getKey().name(), e.getKey()) != null) {
                    throw new IllegalArgumentException("two tools are named '" + e.getKey().name() + "'");
                }
                all.put(e.getKey(), e.getValue());
            }
        }
        return Collections.unmodifiableMap(all);
    }

    /** A static {@link ToolProvider} offering {@code tools}, for {@code AiServices.toolProvider(...)}. */
    public static ToolProvider toolProvider(Map<ToolSpecification, ToolExecutor> tools) {
        Map<ToolSpecification, ToolExecutor> copy = Collections.unmodifiableMap(new LinkedHashMap<>(tools));
        return request -> ToolProviderResult.builder().addAll(copy).build();
    }

    /**
     * For {@code AiServices.hallucinatedToolNameStrategy(...)}: a call to a tool that does not exist
     * gets a result naming the unknown tool and the ones that do, instead of an exception.
     */
    public static Function<ToolExecutionRequest, ToolExecutionResultMessage> unknownToolStrategy(
            Map<ToolSpecification, ToolExecutor> tools) {
        String known = tools.keySet().stream().map(ToolSpecification::name).sorted().collect(Collectors.joining(", "));
        return request -> ToolExecutionResultMessage.from(request, unknownToolText(request.name(), known));
    }

    /** The result text for a call to {@code name}, which is not among the tools named in {@code known}. */
    public static String unknownToolText(String name, String known) {
        return "Error: there is no tool named '" + name + "'; available tools: " + known;
    }
}
