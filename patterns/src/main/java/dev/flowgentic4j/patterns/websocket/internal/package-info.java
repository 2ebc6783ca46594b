/**
 * The WebSocket pattern's machinery, not part of the API: the listener that turns Jetty's connection
 * callbacks into frames, replies and subscription messages. No other module may import it.
 */
package dev.flowgentic4j.patterns.websocket.internal;
