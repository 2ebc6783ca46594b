package dev.flowgentic4j.ignite.internal;

import dev.flowgentic4j.workflows.TaskFunction;
import org.apache.ignite.lang.IgniteCallable;

/** One FUNCTION_TASK call on Ignite Compute: the function's class name and the argument travel. */
public final class RemoteFunction implements IgniteCallable<Object> {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final Object argument;

    public RemoteFunction(String function, Object argument) {
        this.function = function;
        this.argument = argument;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object call() throws Exception {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> type = Class.forName(function, true, loader != null ? loader : RemoteFunction.class.getClassLoader());
        TaskFunction<Object, Object> body = (TaskFunction<Object, Object>) type.getConstructor().newInstance();
        return body.apply(argument);
    }
}
