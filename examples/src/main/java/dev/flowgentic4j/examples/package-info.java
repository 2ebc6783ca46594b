/**
 * Runnable programs on the production patterns, each with a test: a database pool, an embedding
 * model loaded once, a Redis cache (embedded when none is configured), and two workflows that use
 * them together: {@code examples.supportdesk} and {@code examples.marketdesk}.
 */
package dev.flowgentic4j.examples;
