/**
 * Ready {@code ServiceDefinition}s for real components, handed out by
 * {@link dev.flowgentic4j.patterns.PatternServices}: a HikariCP pool over PostgreSQL (with an embedded
 * PostgreSQL when no URL is given), the all-MiniLM-L6-v2 ONNX model, a Lettuce Redis client (and an
 * embedded Redis for tests and demos), an in-process cache, the JDK HTTP server, an authenticated API
 * client (OAuth client credentials or a login session) and, in {@code patterns.websocket}, a
 * WebSocket connection, each with its
 * settings record, readiness and health checks and a stop that releases the resource. Depends on
 * workflows only; each component's library is an optional dependency.
 */
package dev.flowgentic4j.patterns;
