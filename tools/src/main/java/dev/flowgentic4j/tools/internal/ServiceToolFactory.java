package dev.flowgentic4j.tools.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.flowgentic4j.tools.ServiceToolFunction;
import dev.flowgentic4j.tools.ToolCallExecutor;
import dev.flowgentic4j.tools.ToolArguments;
import dev.flowgentic4j.tools.ToolParameter;
import dev.flowgentic4j.workflows.FunctionTask;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolMemoryId;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.service.tool.ToolExecutor;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Builds the specification and executor pairs of function-backed and service-backed tools. */
public final class ServiceToolFactory {
    private ServiceToolFactory() {}

    /** A tool whose every call runs {@code task} (a FUNCTION_TASK, with its retry and timeout). */
    public static Map<ToolSpecification, ToolExecutor> function(FunctionTask<ToolArguments, ?> task, String description,
            List<ToolParameter> parameters) {
        ToolCallExecutor executor = ToolCallExecutor.builder(task.name()).parameters(parameters).task(task);
        return Map.of(executor.specification(description), executor);
    }

    /** A tool that applies {@code function} to the live instance behind {@code service}, resolved per call. */
    public static <S> Map<ToolSpecification, ToolExecutor> serviceFunction(ServiceFuture<S> service, String name,
            String description, List<ToolParameter> parameters, ServiceToolFunction<? super S> function,
            Duration readyTimeout) {
        ToolCallExecutor executor = ToolCallExecutor.builder(name).parameters(parameters)
                .service(service, readyTimeout, function);
        return Map.of(executor.specification(description), executor);
    }

    /**
     * One tool per {@code @Tool} method declared by {@code toolType}; each call invokes the method on
     * the live instance behind {@code service}, resolved per call. Specifications are langchain4j's
     * own ({@link ToolSpecifications#toolSpecificationFrom}); the call is not langchain4j's
     * {@code DefaultToolExecutor}, which binds one fixed object (a new one per call measured 2x
     * slower, see {@code ServiceCallOverheadBenchmark}) and binds leniently (trailing JSON, strings as
     * numbers, no missing-argument check), where our {@link ArgumentBinder} reports each problem.
     */
    public static <S> Map<ToolSpecification, ToolExecutor> serviceObject(ServiceFuture<? extends S> service,
            Class<S> toolType, Duration readyTimeout) {
        List<Method> methods = new ArrayList<>();
        for (Method method : toolType.getMethods()) {
            if (method.isAnnotationPresent(Tool.class) && !Modifier.isStatic(method.getModifiers())) {
                methods.add(method);
            }
        }
        for (Method method : toolType.getDeclaredMethods()) {
            if (method.isAnnotationPresent(Tool.class) && !Modifier.isStatic(method.getModifiers())
                    && !methods.contains(method)) {
                methods.add(method);
            }
        }
        if (methods.isEmpty()) {
            throw new IllegalArgumentException(toolType.getName() + " has no @Tool methods");
        }
        methods.sort(Comparator.comparing(Method::getName));
        Map<ToolSpecification, ToolExecutor> tools = new LinkedHashMap<>();
        for (Method method : methods) {
            method.setAccessible(true);
            ToolSpecification spec = ToolSpecifications.toolSpecificationFrom(method);
            List<Slot> slots = slotsOf(method, spec);
            List<ToolParameter> parameters = slots.stream().filter(slot -> slot.parameter() != null)
                    .map(Slot::parameter).toList();
            Slot[] plan = slots.toArray(Slot[]::new);
            ServiceToolFunction<Object> invoke = (instance, arguments) -> {
                Object[] values = new Object[plan.length];
                for (int i = 0; i < plan.length; i++) {
                    values[i] = plan[i].value(arguments.asMap(), arguments.memoryId().orElse(null));
                }
                try {
                    return method.invoke(instance, values);
                } catch (InvocationTargetException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof Error) {
                        throw (Error) cause;
                    }
                    throw (Exception) cause; // a checked one comes out as ServiceCallException
                }
            };
            ToolExecutor executor = ToolCallExecutor.builder(spec.name()).parameters(parameters)
                    .service(service, readyTimeout, invoke);
            if (tools.keySet().stream().anyMatch(s -> s.name().equals(spec.name()))) {
                throw new IllegalArgumentException("two @Tool methods of " + toolType.getName() + " are named '"
                        + spec.name() + "'");
            }
            tools.put(spec, executor);
        }
        return tools;
    }

    /**
     * Where one argument of a {@code @Tool} method comes from: the memory id ({@code parameter} null),
     * or the model's argument {@code parameter}, else {@code fallback} (its {@code @P(defaultValue)}),
     * wrapped in an {@link Optional} for an {@code Optional<T>} parameter.
     */
    private record Slot(ToolParameter parameter, Object fallback, boolean wrapInOptional) {
        Object value(Map<String, Object> arguments, Object memoryId) {
            if (parameter == null) {
                return memoryId;
            }
            Object value = arguments.get(parameter.name());
            if (value == null) {
                value = fallback;
            }
            return wrapInOptional ? Optional.ofNullable(value) : value;
        }
    }

    /**
     * The arguments of a {@code @Tool} method, named and required as in langchain4j's own
     * specification; a primitive without a default is required whatever the specification says (it
     * cannot be left out), an {@code Optional<T>} parameter is bound as a {@code T}.
     */
    private static List<Slot> slotsOf(Method method, ToolSpecification spec) {
        List<String> names = spec.parameters() == null ? List.of()
                : new ArrayList<>(spec.parameters().properties().keySet());
        List<String> required = spec.parameters() == null || spec.parameters().required() == null ? List.of()
                : spec.parameters().required();
        long bound = Arrays.stream(method.getParameters()).filter(p -> !p.isAnnotationPresent(ToolMemoryId.class))
                .count();
        if (bound != names.size()) {
            throw new IllegalArgumentException("@Tool method " + method + " has parameters flowgentic4j cannot bind "
                    + "(only @ToolMemoryId is supported besides model arguments)");
        }
        List<Slot> slots = new ArrayList<>();
        int next = 0;
        for (Parameter declared : method.getParameters()) {
            if (declared.isAnnotationPresent(ToolMemoryId.class)) {
                slots.add(new Slot(null, null, false));
                continue;
            }
            String name = names.get(next++);
            boolean optional = declared.getType() == Optional.class;
            Type type = optional && declared.getParameterizedType() instanceof ParameterizedType parameterized
                    ? parameterized.getActualTypeArguments()[0] : declared.getParameterizedType();
            P p = declared.getAnnotation(P.class);
            Object fallback = p == null || P.NO_DEFAULT.equals(p.defaultValue()) ? null
                    : defaultValue(method, name, type, p.defaultValue());
            boolean mustBeGiven = required.contains(name) || (declared.getType().isPrimitive() && fallback == null);
            slots.add(new Slot(new ToolParameter(name, type, p == null ? null : p.value(), mustBeGiven), fallback,
                    optional));
        }
        return slots;
    }

    /** {@code @P(defaultValue)} as the parameter's type: text as is for strings, enums and UUIDs, else JSON. */
    private static Object defaultValue(Method method, String name, Type type, String text) {
        try {
            JavaType javaType = ArgumentBinder.JSON.getTypeFactory().constructType(type);
            Class<?> raw = javaType.getRawClass();
            if (raw == String.class || raw.isEnum() || raw == UUID.class) {
                return ArgumentBinder.JSON.convertValue(TextNode.valueOf(text), javaType);
            }
            return ArgumentBinder.JSON.readerFor(javaType).readValue(text);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("@P(defaultValue = \"" + text + "\") of parameter '" + name + "' of "
                    + method + " is not a " + type.getTypeName() + ": " + e.getMessage(), e);
        }
    }
}
