package dev.flowgentic4j.patterns;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP-server service: the JDK's {@code com.sun.net.httpserver} with the routes it is given,
 * plus {@value #HEALTH_PATH} answering {@code ok}, on its own pool of daemon threads. Starts
 * listening in {@link #start}; {@link #close()} stops listening, releases the port and ends the
 * threads. Sets {@code sun.net.httpserver.nodelay=true} unless the application set it (without it
 * each request waits about 40 ms for a delayed ACK). Thread-safe.
 *
 * <pre>{@code
 * try (HttpServerService server = HttpServerService.start(HttpServerSettings.defaults(),
 *         Map.of("/hello", exchange -> HttpServerService.respond(exchange, 200, "hello")))) {
 *     URI uri = server.uri().resolve("/hello");
 * }
 * }</pre>
 */
public final class HttpServerService implements AutoCloseable {
    /** The path that answers {@code 200 ok} while the server runs. */
    public static final String HEALTH_PATH = "/health";

    private static final AtomicInteger THREADS = new AtomicInteger();

    static {
        // Without TCP_NODELAY the JDK server's two writes (headers, body) meet the client's delayed
        // ACK: about 40 ms per request. The JDK reads this property once, when its first server starts;
        // a value set by the application wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServerSettings settings;
    private final HttpServer server;
    private final ExecutorService executor;
    private final URI uri;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicBoolean stopped = new AtomicBoolean();

    private HttpServerService(HttpServerSettings settings, Map<String, HttpHandler> routes) throws IOException {
        this.settings = settings;
        server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
        executor = Executors.newFixedThreadPool(settings.threads(), r -> {
            Thread t = new Thread(r, "http-server-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        Map<String, HttpHandler> all = new LinkedHashMap<>(routes);
        all.putIfAbsent(HEALTH_PATH, exchange -> respond(exchange, 200, "ok"));
        all.forEach((path, handler) -> server.createContext(path, exchange -> {
            requests.incrementAndGet();
            handler.handle(exchange);
        }));
        server.start();
        uri = URI.create("http://" + settings.host() + ":" + server.getAddress().getPort());
    }

    /**
     * Binds {@code settings}' address and serves {@code routes} (path prefix to handler).
     *
     * @throws IOException if the address cannot be bound
     * @throws NullPointerException if an argument, a path or a handler is null
     */
    public static HttpServerService start(HttpServerSettings settings, Map<String, HttpHandler> routes)
            throws IOException {
        Objects.requireNonNull(settings, "settings");
        Map<String, HttpHandler> copy = Map.copyOf(Objects.requireNonNull(routes, "routes"));
        return new HttpServerService(settings, copy);
    }

    /** Sends {@code body} as {@code text/plain} with {@code status} and closes the exchange. */
    public static void respond(HttpExchange exchange, int status, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /**
     * Whether the server accepts a TCP connection on its port; the service's readiness and health check.
     *
     * @throws IOException if it does not
     */
    public void checkAccepting() throws IOException {
        if (stopped.get()) {
            throw new IOException("HTTP server at " + uri + " is stopped");
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(settings.host(), port()), 1000);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://HOST:PORT}. */
    public URI uri() {
        return uri;
    }

    /** Requests received so far, on every route. */
    public long requestCount() {
        return requests.get();
    }

    public HttpServerSettings settings() {
        return settings;
    }

    public boolean isStopped() {
        return stopped.get();
    }

    /** Stops listening (after the settings' stop delay), releases the port, ends the threads. Idempotent. */
    @Override
    public void close() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        server.stop((int) Math.min(Integer.MAX_VALUE, settings.stopDelay().toSeconds()));
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "HttpServerService[" + uri + (stopped.get() ? ", stopped" : "") + "]";
    }
}
