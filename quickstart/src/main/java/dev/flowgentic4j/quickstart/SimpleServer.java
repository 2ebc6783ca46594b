package dev.flowgentic4j.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's persistent service: a real HTTP server (the JDK's {@code com.sun.net.httpserver})
 * that answers every request with its instance id, the request's number and its uptime, as JSON.
 * Binds 127.0.0.1 by default, on port 0 (any free port) unless told otherwise. Thread-safe.
 *
 * <pre>{@code
 * try (SimpleServer server = SimpleServer.start("127.0.0.1", 0)) {
 *     SimpleServer.Response r = server.handleRequest("/api/users", "GET");   // real HTTP
 * }
 * }</pre>
 */
public final class SimpleServer implements AutoCloseable {
    /** The host servers bind when none is given. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)  // no h2c upgrade attempt on every plain-HTTP request
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final AtomicInteger THREADS = new AtomicInteger();

    static {
        // without TCP_NODELAY the JDK server's two writes meet delayed ACKs: ~40 ms per request
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final String instanceId = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final long startedNanos = System.nanoTime();
    private volatile long stoppedNanos;
    private final HttpServer server;
    private final ExecutorService executor;
    private final URI baseUri;

    private SimpleServer(String host, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "simple-server-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        baseUri = URI.create("http://" + host + ":" + server.getAddress().getPort());
    }

    /**
     * Binds and starts a server. Port 0 picks a free port.
     *
     * @throws NullPointerException if {@code host} is null
     * @throws IllegalArgumentException if {@code port} is outside 0..65535
     * @throws IOException if the address cannot be bound
     */
    public static SimpleServer start(String host, int port) throws IOException {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        return new SimpleServer(host, port);
    }

    /** Starts a server on 127.0.0.1. */
    public static SimpleServer start(int port) throws IOException {
        return start(DEFAULT_HOST, port);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            long number = requests.incrementAndGet();
            String body = JSON.createObjectNode()
                    .put("instance", instanceId)
                    .put("request", number)
                    .put("uptimeMillis", uptime().toMillis())
                    .put("method", exchange.getRequestMethod())
                    .put("path", exchange.getRequestURI().getPath())
                    .toString();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /**
     * Sends a real HTTP request to this server and returns what it answered.
     *
     * @throws UncheckedIOException if the request fails (for example after shutdown)
     */
    public Response handleRequest(String path, String method) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(method, "method");
        HttpRequest request = HttpRequest.newBuilder(baseUri.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return Response.parse(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("request " + method + " " + path + " to " + baseUri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path, e);
        }
    }

    public String instanceId() {
        return instanceId;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI uri() {
        return baseUri;
    }

    /** Requests answered so far. */
    public long requestCount() {
        return requests.get();
    }

    /** Time since the server started listening; frozen when it stops, so it never shrinks. */
    public Duration uptime() {
        long end = stopped.get() && stoppedNanos != 0 ? stoppedNanos : System.nanoTime();
        return Duration.ofNanos(end - startedNanos);
    }

    public boolean isStopped() {
        return stopped.get();
    }

    /** Stops listening and releases the port. Idempotent: later calls do nothing. */
    public void shutdown() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        stoppedNanos = System.nanoTime();
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown();
    }

    @Override
    public String toString() {
        return "SimpleServer[" + instanceId + " at " + baseUri + (stopped.get() ? ", stopped" : "") + "]";
    }

    /** One answer of the server. */
    public record Response(int status, String instance, long request, Duration uptime, String method, String path) {
        static Response parse(int status, String body) throws IOException {
            JsonNode json = JSON.readTree(body);
            return new Response(status, json.path("instance").asText(), json.path("request").asLong(),
                    Duration.ofMillis(json.path("uptimeMillis").asLong()), json.path("method").asText(),
                    json.path("path").asText());
        }
    }
}
