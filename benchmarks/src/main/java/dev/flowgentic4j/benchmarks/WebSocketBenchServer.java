package dev.flowgentic4j.benchmarks;

import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The WebSocket server of the benchmarks: Jetty 12 on 127.0.0.1 at {@code /ws}, answering every
 * message that contains {@code "op":"echo"} with the same message, and every subscribe message with
 * a first {@code tick}; it can be stopped and started again on the same port.
 */
public final class WebSocketBenchServer implements AutoCloseable {
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private volatile Server server;
    private int port;

    private WebSocketBenchServer() {}

    public static WebSocketBenchServer start() throws Exception {
        WebSocketBenchServer s = new WebSocketBenchServer();
        s.startServer();
        return s;
    }

    /** Starts listening again on the same port; returns once it accepts connections. */
    public void startServer() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(16, 2);
        pool.setName("bench-ws-server");
        pool.setDaemon(true);
        Server s = new Server(pool);
        ServerConnector connector = new ServerConnector(s);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        s.addConnector(connector);
        s.setHandler(WebSocketUpgradeHandler.from(s, container ->
                container.addMapping("/ws", (request, response, callback) -> new Endpoint(sessions))));
        s.start();
        port = connector.getLocalPort();
        server = s;
    }

    /** Stops listening and drops every connection. */
    public void stopServer() throws Exception {
        Server s = server;
        server = null;
        if (s != null) {
            s.stop();
        }
        sessions.clear();
    }

    public URI uri() {
        return URI.create("ws://127.0.0.1:" + port + "/ws");
    }

    @Override
    public void close() throws Exception {
        stopServer();
    }

    /** One connection's endpoint. Public: Jetty calls it through a public lookup. */
    public static final class Endpoint implements Session.Listener.AutoDemanding {
        private final Set<Session> sessions;
        private Session session;

        Endpoint(Set<Session> sessions) {
            this.sessions = sessions;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            sessions.add(session);
        }

        @Override
        public void onWebSocketText(String message) {
            if (message.contains("\"op\":\"echo\"")) {
                session.sendText(message, Callback.NOOP);
            } else if (message.contains("\"op\":\"subscribe\"")) {
                session.sendText("{\"type\":\"tick\"}", Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // a connection dropped by a restart: expected
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            sessions.remove(session);
        }
    }
}
