/**
 * The langchain4j side: turns function tasks and live services into langchain4j tools
 * ({@code ToolSpecification} + {@code ToolExecutor} pairs) with {@link dev.flowgentic4j.tools.AgentTools}:
 * a function as a FUNCTION_TASK per call, an object with {@code @Tool} methods or a function of
 * (service, arguments) bound to the one live instance behind a {@code ServiceFuture}. Parameters are
 * described with {@link dev.flowgentic4j.tools.ToolParameter}; a tool's failure goes back to the model as
 * its result text. Depends on workflows and langchain4j only.
 */
package dev.flowgentic4j.tools;
