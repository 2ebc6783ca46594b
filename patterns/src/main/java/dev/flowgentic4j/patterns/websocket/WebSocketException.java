package dev.flowgentic4j.patterns.websocket;

import dev.flowgentic4j.workflows.FlowgenticException;

/**
 * A WebSocket call that failed: the connection could not be opened, a message could not be sent,
 * or a request had no reply. The message names the service and the URL (never a header value).
 * Subclasses say which wait ran out.
 */
public class WebSocketException extends FlowgenticException {
    private static final long serialVersionUID = 1L;

    public WebSocketException(String message) {
        super(message);
    }

    public WebSocketException(String message, Throwable cause) {
        super(message, cause);
    }

    /** No open connection within the call's timeout (reconnecting), or the service is stopping or stopped. */
    public static final class Unavailable extends WebSocketException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message) {
            super(message);
        }
    }

    /** A request was sent but no reply with its correlation id came back within its timeout. */
    public static final class NoReply extends WebSocketException {
        private static final long serialVersionUID = 1L;

        public NoReply(String message) {
            super(message);
        }
    }
}
