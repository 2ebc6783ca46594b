package dev.flowgentic4j.patterns.websocket.internal;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The listener Jetty calls for one connection, handing each event to the service. Public only
 * because Jetty invokes listener methods through a public lookup; not an API.
 */
public final class ConnectionListener implements Session.Listener.AutoDemanding {

    /** What the service does with a connection's events (called on the connection's reader thread). */
    public interface Events {
        void opened(Session session);

        void text(String message);

        void binary(int length);

        void pong(ByteBuffer payload);

        void error(Throwable cause);

        void closed(int statusCode, String reason);
    }

    private final Events events;

    public ConnectionListener(Events events) {
        this.events = Objects.requireNonNull(events, "events");
    }

    @Override
    public void onWebSocketOpen(Session session) {
        events.opened(session);
    }

    @Override
    public void onWebSocketText(String message) {
        events.text(message);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        int length = payload.remaining();
        callback.succeed();
        events.binary(length);
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        events.pong(payload);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        events.error(cause);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        events.closed(statusCode, reason);
    }
}
