/**
 * MCP servers as supervised services: {@link dev.flowgentic4j.mcp.McpServices} defines a service from an
 * {@link dev.flowgentic4j.mcp.McpServerSpec} (a stdio command or a Streamable HTTP URL), RUNNING once its
 * tools are listed and restarted as a new generation when its process dies or stops answering, and
 * {@link dev.flowgentic4j.mcp.McpTools} offers its tools as agent tools whose every failure is a result
 * the model reads. langchain4j-mcp and its HTTP client stay inside this module.
 */
package dev.flowgentic4j.mcp;
