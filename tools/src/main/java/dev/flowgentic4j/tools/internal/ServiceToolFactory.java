package dev.flowgentic4j.tools.internal;

import dev.flowgentic4j.tools.ServiceToolFunction;
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
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the specification and executor pairs of function-backed and service-backed tools. */
public final class ServiceToolFactory {
    private ServiceToolFactory() {}

    /** A tool whose every call runs {@code task} (a FUNCTION_TASK, with its retry and timeout). */
    public static Map<ToolSpecification, ToolExecutor> function(FunctionTask<ToolArguments, ?> task, String description,
            List<ToolParameter> parameters) {
        ArgumentBinder binder = new ArgumentBinder(parameters);
        ToolExecutor executor = new ToolCallExecutor(task.name(), binder,
                (arguments, memoryId) -> task.call(new ToolArguments(arguments, binder.parameterNames())));
        return Map.of(binder.specification(task.name(), description), executor);
    }

    /** A tool that applies {@code function} to the live instance behind {@code service}, resolved per call. */
    public static <S> Map<ToolSpecification, ToolExecutor> serviceFunction(ServiceFuture<S> service, String name,
            String description, List<ToolParameter> parameters, ServiceToolFunction<? super S> function,
            Duration readyTimeout) {
        ArgumentBinder binder = new ArgumentBinder(parameters);
        ToolExecutor executor = new ToolCallExecutor(name, binder, (arguments, memoryId) -> {
            ToolArguments args = new ToolArguments(arguments, binder.parameterNames());
            return service.call(readyTimeout,
                    instance -> ToolCallExecutor.rethrowChecked(() -> function.apply(instance, args)));
        });
        return Map.of(binder.specification(name, description), executor);
    }

    /**
     * One tool per {@code @Tool} method declared by {@code toolType}; each call invokes the method on
     * the live instance behind {@code service}, resolved per call. Specifications are langchain4j's
     * own ({@link ToolSpecifications#toolSpecificationFrom}); the call is not langchain4j's
     * {@code DefaultToolExecutor}, which binds one fixed object (a new one per call measured 1.9x
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
            List<ToolParameter> parameters = parametersOf(method, spec);
            ArgumentBinder binder = new ArgumentBinder(parameters);
            Parameter[] declared = method.getParameters();
            ToolExecutor executor = new ToolCallExecutor(spec.name(), binder, (arguments, memoryId) -> {
                Object[] values = new Object[declared.length];
                int next = 0;
                for (int i = 0; i < declared.length; i++) {
                    if (declared[i].isAnnotationPresent(ToolMemoryId.class)) {
                        values[i] = memoryId;
                    } else {
                        values[i] = arguments.get(parameters.get(next++).name());
                    }
                }
                return service.call(readyTimeout, instance -> ToolCallExecutor.rethrowChecked(() -> {
                    try {
                        return method.invoke(instance, values);
                    } catch (InvocationTargetException e) {
                        Throwable cause = e.getCause();
                        if (cause instanceof Error) {
                            throw (Error) cause;
                        }
                        throw (Exception) cause;
                    }
                }));
            });
            if (tools.keySet().stream().anyMatch(s -> s.name().equals(spec.name()))) {
                throw new IllegalArgumentException("two @Tool methods of " + toolType.getName() + " are named '"
                        + spec.name() + "'");
            }
            tools.put(spec, executor);
        }
        return tools;
    }

    /** The model-facing parameters of a {@code @Tool} method, named as in langchain4j's own specification. */
    private static List<ToolParameter> parametersOf(Method method, ToolSpecification spec) {
        List<String> names = spec.parameters() == null ? List.of()
                : new ArrayList<>(spec.parameters().properties().keySet());
        List<String> required = spec.parameters() == null || spec.parameters().required() == null ? List.of()
                : spec.parameters().required();
        List<Parameter> bound = Arrays.stream(method.getParameters())
                .filter(p -> !p.isAnnotationPresent(ToolMemoryId.class))
                .toList();
        if (bound.size() != names.size()) {
            throw new IllegalArgumentException("@Tool method " + method + " has parameters flowgentic4j cannot bind "
                    + "(only @ToolMemoryId is supported besides model arguments)");
        }
        List<ToolParameter> parameters = new ArrayList<>();
        for (int i = 0; i < bound.size(); i++) {
            P p = bound.get(i).getAnnotation(P.class);
            String description = p == null ? null : p.value();
            parameters.add(new ToolParameter(names.get(i), bound.get(i).getParameterizedType(), description,
                    required.contains(names.get(i))));
        }
        return parameters;
    }
}
