package dev.flowgentic4j.examples.marketdesk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The embedded live price feed: a Jetty 12 WebSocket server on 127.0.0.1 at {@code /prices} that
 * accepts connections carrying {@code Authorization: Bearer <feed token>}, publishes a tick per
 * symbol every 100 ms to the connections that sent {@code {"op":"subscribe"}}, and answers
 * {@code {"id":...,"op":"quote","symbol":"ACME"}} with the current price under the same id. It can be
 * restarted on the same port (the demo's "feed server restarts").
 */
public final class PriceFeedServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PriceBoard board;
    private final String token;
    private final Set<Session> subscribed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger subscribes = new AtomicInteger();
    private final AtomicInteger quotes = new AtomicInteger();
    private final ScheduledExecutorService ticker;
    private volatile Server server;
    private int port;

    PriceFeedServer(PriceBoard board, String token) throws Exception {
        this.board = board;
        this.token = token;
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "price-feed-ticker");
            t.setDaemon(true);
            return t;
        });
        startServer();
        ticker.scheduleAtFixedRate(this::publish, 100, 100, TimeUnit.MILLISECONDS);
    }

    private void startServer() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(8, 2);
        pool.setName("price-feed-server");
        pool.setDaemon(true);
        Server s = new Server(pool);
        ServerConnector connector = new ServerConnector(s);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        s.addConnector(connector);
        s.setHandler(WebSocketUpgradeHandler.from(s, container -> container.addMapping("/prices",
                (request, response, callback) -> {
                    if (!("Bearer " + token).equals(request.getHeaders().get("Authorization"))) {
                        Response.writeError(request, response, callback, 401);
                        return null;
                    }
                    return new Endpoint(this);
                })));
        s.start();
        port = connector.getLocalPort();
        server = s;
    }

    public URI uri() {
        return URI.create("ws://127.0.0.1:" + port + "/prices");
    }

    /** Stops the server (dropping every connection) and starts it again on the same port. */
    public void restart() throws Exception {
        stopServer();
        startServer();
    }

    /** Subscribe messages received (one per connection that subscribed). */
    public int subscribes() {
        return subscribes.get();
    }

    public int quotes() {
        return quotes.get();
    }

    private void stopServer() throws Exception {
        Server s = server;
        server = null;
        subscribed.clear();
        if (s != null) {
            s.stop();
        }
    }

    private void publish() {
        PriceBoard.Tick tick = board.tick();
        for (Session session : subscribed) {
            tick.prices().forEach((symbol, price) -> session.sendText(price(tick.seq(), symbol, price, null),
                    Callback.NOOP));
        }
    }

    private static String price(long seq, String symbol, BigDecimal price, String id) {
        ObjectNode node = JSON.createObjectNode();
        if (id != null) {
            node.put("id", id);
            node.put("type", "quote");
        } else {
            node.put("type", "price");
            node.put("seq", seq);
        }
        node.put("symbol", symbol);
        node.put("price", price);
        return node.toString();
    }

    private void onMessage(Session session, String message) {
        JsonNode request;
        try {
            request = JSON.readTree(message);
        } catch (Exception e) {
            session.sendText("{\"type\":\"error\",\"message\":\"not JSON\"}", Callback.NOOP);
            return;
        }
        String op = request.path("op").asText("");
        if (op.equals("subscribe")) {
            subscribes.incrementAndGet();
            subscribed.add(session);
        } else if (op.equals("quote")) {
            quotes.incrementAndGet();
            String id = request.path("id").asText("");
            String symbol = request.path("symbol").asText("");
            String reply = board.price(symbol).map(p -> price(0, symbol, p, id)).orElseGet(() -> {
                ObjectNode error = JSON.createObjectNode();
                error.put("id", id);
                error.put("type", "error");
                error.put("message", "unknown symbol; known: ACME, GLOBEX, INITECH");
                return error.toString();
            });
            session.sendText(reply, Callback.NOOP);
        }
    }

    @Override
    public void close() throws Exception {
        ticker.shutdownNow();
        stopServer();
    }

    /** One connection. Public: Jetty calls it through a public lookup. */
    public static final class Endpoint implements Session.Listener.AutoDemanding {
        private final PriceFeedServer feed;
        private Session session;

        Endpoint(PriceFeedServer feed) {
            this.feed = feed;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            feed.onMessage(session, message);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // a connection dropped by a restart: expected
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            feed.subscribed.remove(session);
        }
    }
}
