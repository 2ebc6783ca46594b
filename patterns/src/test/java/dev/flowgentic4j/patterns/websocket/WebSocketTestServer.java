package dev.flowgentic4j.patterns.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A real WebSocket server for the tests: Jetty 12 on 127.0.0.1, at {@code /ws}. It answers
 * {@code {"op":"echo",...}} with the same message (correlation id included), stays silent on
 * {@code {"op":"silent",...}}, records {@code {"op":"subscribe",...}} and {@link #publish publishes}
 * to the sessions that subscribed. Tests can require a header, stop and restart it on the same
 * port, flood it, and make it send oversized, non-UTF-8 or binary messages.
 */
public final class WebSocketTestServer implements AutoCloseable {
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final Set<Session> subscribed = ConcurrentHashMap.newKeySet();
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<Integer> closeCodes = new CopyOnWriteArrayList<>();
    final AtomicInteger handshakes = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger subscribes = new AtomicInteger();
    private final String requiredHeader;
    private final String requiredValue;
    private volatile Server server;
    private int port;

    private WebSocketTestServer(String requiredHeader, String requiredValue) {
        this.requiredHeader = requiredHeader;
        this.requiredValue = requiredValue;
    }

    static WebSocketTestServer start() throws Exception {
        return start(null, null);
    }

    /** A server that answers the handshake with 401 unless {@code header} has {@code value}. */
    static WebSocketTestServer start(String header, String value) throws Exception {
        WebSocketTestServer s = new WebSocketTestServer(header, value);
        s.startServer();
        return s;
    }

    private void startServer() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(16, 2);
        pool.setName("test-ws-server");
        pool.setDaemon(true);
        Server s = new Server(pool);
        ServerConnector connector = new ServerConnector(s);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        s.addConnector(connector);
        s.setHandler(WebSocketUpgradeHandler.from(s, container -> {
            container.setMaxTextMessageSize(16 * 1024 * 1024);
            container.setMaxFrameSize(16 * 1024 * 1024);
            container.addMapping("/ws", (request, response, callback) -> {
                if (requiredHeader != null && !requiredValue.equals(request.getHeaders().get(requiredHeader))) {
                    refused.incrementAndGet();
                    Response.writeError(request, response, callback, 401);
                    return null;
                }
                handshakes.incrementAndGet();
                return new Endpoint();
            });
        }));
        s.start();
        port = connector.getLocalPort();
        server = s;
    }

    int port() {
        return port;
    }

    java.net.URI uri() {
        return java.net.URI.create("ws://127.0.0.1:" + port + "/ws");
    }

    /** Stops the server (its sessions end without a close handshake of ours: Jetty sends 1001). */
    void stop() throws Exception {
        Server s = server;
        if (s != null) {
            s.stop();
            server = null;
        }
        sessions.clear();
        subscribed.clear();
    }

    /** Starts it again on the same port. */
    void restart() throws Exception {
        stop();
        startServer();
    }

    int openSessions() {
        return (int) sessions.stream().filter(Session::isOpen).count();
    }

    int subscribedSessions() {
        return (int) subscribed.stream().filter(Session::isOpen).count();
    }

    /** Closes every session with {@code code} and {@code reason} (a close frame, then the server's side of the handshake). */
    void closeAll(int code, String reason) {
        sessions.forEach(s -> s.close(code, reason, Callback.NOOP));
    }

    /** Sends {@code text} to every session that subscribed. */
    void publish(String text) {
        subscribed.forEach(s -> s.sendText(text, Callback.NOOP));
    }

    /** Sends {@code count} messages to every session that subscribed, as fast as Jetty writes them. */
    void flood(int count, IntFunction<String> message) {
        for (Session s : subscribed) {
            for (int i = 0; i < count; i++) {
                s.sendText(message.apply(i), Callback.NOOP);
            }
        }
    }

    /** Sends a text frame holding {@code bytes} as they are (not necessarily UTF-8) to every session. */
    void sendRawText(byte[] bytes) {
        for (Session s : sessions) {
            ((WebSocketSession) s).getCoreSession().sendFrame(new Frame(OpCode.TEXT, ByteBuffer.wrap(bytes)),
                    org.eclipse.jetty.util.Callback.NOOP, false);
        }
    }

    void sendText(String text) {
        sessions.forEach(s -> s.sendText(text, Callback.NOOP));
    }

    void sendBinary(byte[] bytes) {
        sessions.forEach(s -> s.sendBinary(ByteBuffer.wrap(bytes), Callback.NOOP));
    }

    /** A text message of {@code bytes} ASCII bytes. */
    static String ofSize(int bytes) {
        return "x".repeat(bytes);
    }

    static byte[] invalidUtf8() {
        byte[] ok = "price ".getBytes(StandardCharsets.US_ASCII);
        byte[] bad = new byte[ok.length + 2];
        System.arraycopy(ok, 0, bad, 0, ok.length);
        bad[ok.length] = (byte) 0xC3;        // a lead byte ...
        bad[ok.length + 1] = (byte) 0x28;    // ... followed by a byte that cannot continue it
        return bad;
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    public final class Endpoint implements Session.Listener.AutoDemanding {
        private Session session;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            sessions.add(session);
        }

        @Override
        public void onWebSocketText(String message) {
            received.add(message);
            if (message.contains("\"op\":\"subscribe\"")) {
                subscribes.incrementAndGet();
                subscribed.add(session);
            } else if (message.contains("\"op\":\"echo\"")) {
                session.sendText(message, Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // a connection the test cut or a server the test stopped: expected
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closeCodes.add(statusCode);
            sessions.remove(session);
            subscribed.remove(session);
        }
    }
}
