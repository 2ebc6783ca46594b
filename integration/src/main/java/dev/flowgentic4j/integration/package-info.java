/**
 * The front door for LangGraph4j and langchain4j users: {@link dev.flowgentic4j.integration.LangGraphIntegration}
 * owns an engine and closes it, {@link dev.flowgentic4j.integration.ExecutionWrappers} turns plain
 * functions into the flow types (function and service tasks, agent tools, execution blocks, service
 * nodes, the ReAct agent), {@link dev.flowgentic4j.integration.Graphs} compiles graphs with unchecked
 * exceptions, and {@link dev.flowgentic4j.integration.ExecutionReport} renders a run as Markdown or
 * HTML. Services never enter graph state: nodes and tools hold the handle.
 */
package dev.flowgentic4j.integration;
