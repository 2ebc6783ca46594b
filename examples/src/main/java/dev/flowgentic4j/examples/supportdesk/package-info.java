/**
 * The SupportDesk workflow: a LangGraph4j graph whose nodes share live services (the embedding model,
 * the database pool holding the FAQ, a cache) and, when an OpenAI-compatible endpoint is configured,
 * an agent with a tool on the pool; each service starts once, and the run can be written out as an
 * execution report.
 */
package dev.flowgentic4j.examples.supportdesk;
