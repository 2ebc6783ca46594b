package dev.flowgentic4j.examples.marketdesk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded brokerage API: a JDK HTTP server on 127.0.0.1 with an OAuth 2.0 token endpoint
 * ({@code POST /oauth2/token}, client credentials with HTTP Basic, opaque tokens that expire after
 * the configured lifetime) and two protected resources: {@code GET /account} (cash and positions) and
 * {@code POST /orders} (a market order filled at the feed's current price). A missing, unknown or
 * expired token gets {@code 401}. Counts the token requests it answered.
 */
public final class MarketApiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_BODY = 16 * 1024;

    private final PriceBoard board;
    private final String clientId;
    private final String clientSecret;
    private final Duration tokenLifetime;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();   // token -> expiry (nanoTime)
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger orderIds = new AtomicInteger();
    private final Object accountLock = new Object();
    private BigDecimal cash = new BigDecimal("10000.00");          // guarded by accountLock
    private final Map<String, Integer> positions = new TreeMap<>();   // guarded by accountLock

    MarketApiServer(PriceBoard board, String clientId, String clientSecret, Duration tokenLifetime) throws IOException {
        this.board = board;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.tokenLifetime = tokenLifetime;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "market-api");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/oauth2/token", this::token);
        server.createContext("/account", exchange -> protectedCall(exchange, "GET", this::account));
        server.createContext("/orders", exchange -> protectedCall(exchange, "POST", this::order));
        server.start();
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public URI tokenEndpoint() {
        return baseUri().resolve("/oauth2/token");
    }

    /** Tokens issued so far. */
    public int tokenRequests() {
        return tokenRequests.get();
    }

    /** Calls refused with 401. */
    public int refused() {
        return refused.get();
    }

    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            String expected = "Basic " + Base64.getEncoder().encodeToString(
                    (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
            String form = readBody(exchange);
            if (!"POST".equals(exchange.getRequestMethod()) || !form.contains("grant_type=client_credentials")) {
                send(exchange, 400, "{\"error\":\"unsupported_grant_type\"}");
                return;
            }
            if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, "{\"error\":\"invalid_client\"}");
                return;
            }
            byte[] bytes = new byte[24];
            RANDOM.nextBytes(bytes);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            tokens.put(token, System.nanoTime() + tokenLifetime.toNanos());
            tokenRequests.incrementAndGet();
            send(exchange, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                    + tokenLifetime.toSeconds() + "}");
        }
    }

    private interface Resource {
        String handle(HttpExchange exchange, String body) throws IOException;
    }

    private void protectedCall(HttpExchange exchange, String method, Resource resource) throws IOException {
        try (exchange) {
            String body = readBody(exchange);
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            Long expiry = authorization != null && authorization.startsWith("Bearer ")
                    ? tokens.get(authorization.substring(7)) : null;
            if (expiry == null || System.nanoTime() - expiry > 0) {
                refused.incrementAndGet();
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                send(exchange, 401, "{\"error\":\"invalid_token\"}");
                return;
            }
            if (!method.equals(exchange.getRequestMethod())) {
                send(exchange, 405, "{\"error\":\"use " + method + "\"}");
                return;
            }
            try {
                send(exchange, 200, resource.handle(exchange, body));
            } catch (IllegalArgumentException e) {
                ObjectNode error = JSON.createObjectNode();
                error.put("error", e.getMessage());
                send(exchange, 400, error.toString());
            }
        }
    }

    private String account(HttpExchange exchange, String body) {
        synchronized (accountLock) {
            ObjectNode account = JSON.createObjectNode();
            account.put("cash", cash);
            ObjectNode held = account.putObject("positions");
            positions.forEach(held::put);
            return account.toString();
        }
    }

    private String order(HttpExchange exchange, String body) throws IOException {
        JsonNode order;
        try {
            order = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the order must be a JSON object");
        }
        String symbol = order.path("symbol").asText("");
        String side = order.path("side").asText("buy");
        int quantity = order.path("quantity").asInt(0);
        if (quantity < 1 || quantity > 1000) {
            throw new IllegalArgumentException("quantity must be 1 to 1000");
        }
        if (!side.equals("buy") && !side.equals("sell")) {
            throw new IllegalArgumentException("side must be buy or sell");
        }
        BigDecimal price = board.price(symbol).orElseThrow(() ->
                new IllegalArgumentException("unknown symbol; known: ACME, GLOBEX, INITECH"));
        BigDecimal amount = price.multiply(BigDecimal.valueOf(quantity));
        synchronized (accountLock) {
            int held = positions.getOrDefault(symbol, 0);
            if (side.equals("buy")) {
                if (cash.compareTo(amount) < 0) {
                    throw new IllegalArgumentException("not enough cash for " + quantity + " " + symbol);
                }
                cash = cash.subtract(amount);
                positions.put(symbol, held + quantity);
            } else {
                if (held < quantity) {
                    throw new IllegalArgumentException("only " + held + " " + symbol + " held");
                }
                cash = cash.add(amount);
                positions.put(symbol, held - quantity);
            }
            ObjectNode filled = JSON.createObjectNode();
            filled.put("orderId", "o-" + orderIds.incrementAndGet());
            filled.put("status", "filled");
            filled.put("symbol", symbol);
            filled.put("side", side);
            filled.put("quantity", quantity);
            filled.put("price", price);
            filled.put("cash", cash);
            return filled.toString();
        }
    }

    private static String readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new IOException("request body over " + MAX_BODY + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
