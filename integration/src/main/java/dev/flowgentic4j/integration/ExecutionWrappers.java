package dev.flowgentic4j.integration;

import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.FunctionTask;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceInitializer;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.flowgentic4j.workflows.TaskFunction;

/**
 * Turns plain Java functions into the flow types of {@link FlowType}: tasks, persistent services,
 * graph nodes and agent tools. Obtained from {@link LangGraphIntegration#executionWrappers()}.
 * Thread-safe.
 *
 * <pre>{@code
 * ExecutionWrappers wrappers = integration.executionWrappers();
 * FunctionTask<String, Integer> length = wrappers.functionTask("length", String::length);
 * ServiceTask<Integer, SimpleServer> server = wrappers.serviceTask("start_server", SimpleServer::start);
 * }</pre>
 */
public final class ExecutionWrappers {
    private final FlowEngine engine;
    private final IntegrationConfig config;

    ExecutionWrappers(FlowEngine engine, IntegrationConfig config) {
        this.engine = engine;
        this.config = config;
    }

    /**
     * A FUNCTION_TASK with the integration's default retry policy.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or already registered
     * @throws IllegalStateException if the integration is closed
     */
    public <A, R> FunctionTask<A, R> functionTask(String name, TaskFunction<A, R> function) {
        return engine.functionTask(name, function);
    }

    /** A FUNCTION_TASK with its own retry policy; same checks as {@link #functionTask(String, TaskFunction)}. */
    public <A, R> FunctionTask<A, R> functionTask(String name, TaskFunction<A, R> function, RetryConfig retry) {
        return engine.functionTask(name, function, retry);
    }

    /**
     * A SERVICE_TASK: {@code start(args)} cold-starts one persistent instance and returns its handle
     * at once. The instance is stopped with {@code close()} if it is {@link AutoCloseable}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or already registered
     * @throws IllegalStateException if the integration is closed
     */
    public <A, S> ServiceTask<A, S> serviceTask(String name, ServiceInitializer<A, S> initializer) {
        return engine.serviceTask(name, initializer);
    }

    /** A SERVICE_TASK with a stop function, retry policy and stop timeout; see {@link ServiceDefinition}. */
    public <A, S> ServiceTask<A, S> serviceTask(ServiceDefinition<A, S> definition) {
        return engine.serviceTask(definition);
    }

    /** The integration's settings (ready timeouts of nodes and tools). */
    public IntegrationConfig config() {
        return config;
    }

    /** The engine these wrappers register with. */
    public FlowEngine engine() {
        return engine;
    }
}
