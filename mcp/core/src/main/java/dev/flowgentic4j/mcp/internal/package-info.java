/**
 * The MCP module's machinery, not part of the API: the stdio transport with bounded reads
 * ({@code ProcessTransport}, {@code BoundedText}), the process guard that keeps a server's processes
 * from outliving the JVM (own session and group, tree token, parent-death signal, crash record:
 * {@code ProcessGuard}) and the process-tree handling that ends every process a server started
 * ({@code ProcessTree}). No other module may import it.
 */
package dev.flowgentic4j.mcp.internal;
