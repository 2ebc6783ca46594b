/**
 * The integration's machinery, not part of the API: the LangGraph4j nodes the wrappers hand out
 * ({@code GraphNodes}), the ReAct graph and its tools step ({@code ReactAgentGraph}, {@code ToolsNode}),
 * and the telemetry of node runs ({@code NodeTelemetry}; tool calls record themselves on the tools
 * module's one tool path). No other module may import it.
 */
package dev.flowgentic4j.integration.internal;
