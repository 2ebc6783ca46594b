/**
 * The WebSocket-connection pattern: {@link dev.flowgentic4j.patterns.websocket.WebSocketService} keeps one
 * persistent client connection (Jetty 12's client) for sends, request/reply calls matched by
 * correlation id, and subscriptions with bounded buffers; it pings, and reconnects as a new
 * generation after the settings' backoff when the connection is lost. Its settings, statistics and
 * exceptions live beside it; {@code PatternServices.webSocket()} hands it out as a definition.
 */
package dev.flowgentic4j.patterns.websocket;
