/**
 * The engine's API: {@link dev.flowgentic4j.workflows.FlowEngine} registers function and service tasks
 * (it and the integration's {@code ExecutionWrappers} are both a
 * {@link dev.flowgentic4j.workflows.ServiceTaskRegistry}), runs them on a
 * {@link dev.flowgentic4j.workflows.Backend} and stops every service, in reverse start order, when it
 * closes; {@link dev.flowgentic4j.workflows.ServiceFuture} is the handle of one persistent service;
 * the immutable configs ({@code RetryConfig}, {@code HealthConfig}, {@code RestartPolicy},
 * {@code EngineConfig}, {@code LocalBackendConfig}) and the exceptions, rooted at
 * {@link dev.flowgentic4j.workflows.FlowgenticException}, complete it. No LangGraph4j or langchain4j type
 * appears here. See docs/architecture.md for the map of the modules.
 */
package dev.flowgentic4j.workflows;
