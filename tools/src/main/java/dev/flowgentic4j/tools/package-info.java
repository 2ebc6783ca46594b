/**
 * The langchain4j side: turns function tasks and live services into langchain4j tools
 * ({@code ToolSpecification} + {@code ToolExecutor} pairs) with {@link dev.flowgentic4j.tools.AgentTools}:
 * a function as a FUNCTION_TASK per call, an object with {@code @Tool} methods or a function of
 * (service, arguments) bound to the one live instance behind a {@code ServiceFuture}. Parameters are
 * described with {@link dev.flowgentic4j.tools.ToolParameter}. Every call goes through
 * {@link dev.flowgentic4j.tools.ToolCallExecutor}, the one tool path (argument binding, the call on the
 * live target, error results as the tool's result text, telemetry). Depends on workflows and
 * langchain4j only.
 */
package dev.flowgentic4j.tools;
