/**
 * Runnable programs on the production patterns, each with a test: a database pool, an embedding
 * model loaded once, a Redis cache (embedded when none is configured), and, in
 * {@code examples.supportdesk}, a workflow that uses them together.
 */
package dev.flowgentic4j.examples;
