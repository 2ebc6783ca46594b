/**
 * The MCP module's machinery, not part of the API: the stdio transport with bounded reads
 * ({@code ProcessTransport}) and the process-tree handling that ends every process a server started.
 * No other module may import it.
 */
package dev.flowgentic4j.mcp.internal;
