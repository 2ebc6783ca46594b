package dev.flowgentic4j.workflows.telemetry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.telemetry.micrometer.PrometheusScrape;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A small HTTP endpoint on 127.0.0.1 for probes and scrapers, started by
 * {@link Telemetry#startHealthEndpoint(int)} and stopped by {@link #close()} or the engine's close:
 * <ul>
 *   <li>{@code GET /health/live}: 200, or 503 once the engine is closed or a service FAILED (it will
 *       not recover by itself: the process should be restarted);</li>
 *   <li>{@code GET /health/ready}: 200 when every service is RUNNING (stopped ones are ignored),
 *       not restarting and not UNHEALTHY; 503 while one is starting, restarting, unhealthy or failed;</li>
 *   <li>{@code GET /metrics}: the engine's metrics in Prometheus text format (needs
 *       {@code io.micrometer:micrometer-registry-prometheus}; 404 saying so without it).</li>
 * </ul>
 * Both health documents are JSON: {@code {"status":"UP","services":[{"id":..,"name":..,"state":..,
 * "health":..,"generation":..,"restarting":..}]}}. Requests are served on one daemon thread.
 */
public final class HealthEndpoint implements AutoCloseable {
    private final Telemetry telemetry;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Supplier<String> scrape;

    private HealthEndpoint(Telemetry telemetry, HttpServer server, ExecutorService executor) {
        this.telemetry = telemetry;
        this.server = server;
        this.executor = executor;
    }

    static HealthEndpoint start(Telemetry telemetry, int port) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the health endpoint to 127.0.0.1:" + port, e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "flowgentic4j-health-" + server.getAddress().getPort());
            t.setDaemon(true);
            return t;
        });
        HealthEndpoint endpoint = new HealthEndpoint(telemetry, server, executor);
        server.setExecutor(executor);
        server.createContext("/health/live", exchange -> endpoint.health(exchange, false));
        server.createContext("/health/ready", exchange -> endpoint.health(exchange, true));
        server.createContext("/metrics", endpoint::metrics);
        server.createContext("/", exchange -> respond(exchange, 404, "text/plain",
                "not found; try /health/live, /health/ready or /metrics\n"));
        server.start();
        return endpoint;
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    private void health(HttpExchange exchange, boolean readiness) throws IOException {
        List<ServiceFuture<?>> services = telemetry.services();
        boolean up = !telemetry.isClosed();
        StringJoiner list = new StringJoiner(",", "[", "]");
        for (ServiceFuture<?> s : services) {
            ServiceState state = s.state();
            HealthStatus.State health = s.health().state();
            boolean restarting = s.isRestarting();
            if (state == ServiceState.FAILED) {
                up = false;
            } else if (readiness && state != ServiceState.TERMINATED
                    && (state != ServiceState.RUNNING || restarting || health == HealthStatus.State.UNHEALTHY)) {
                up = false;
            }
            list.add(new Json.Object().put("id", s.id()).put("name", s.name()).put("state", state.name())
                    .put("health", health.name()).put("generation", s.generation()).put("restarting", restarting)
                    .toString());
        }
        String body = new Json.Object().put("status", up ? "UP" : "DOWN").putRaw("services", list.toString())
                + "\n";
        respond(exchange, up ? 200 : 503, "application/json", body);
    }

    private void metrics(HttpExchange exchange) throws IOException {
        Supplier<String> s = scrape;
        if (s == null) {
            if (!prometheusPresent()) {
                respond(exchange, 404, "text/plain",
                        "no /metrics: add io.micrometer:micrometer-registry-prometheus to the class path\n");
                return;
            }
            s = scrape = PrometheusScrape.of(telemetry.metrics()); // only this thread serves requests
        }
        respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", s.get());
    }

    private static boolean prometheusPresent() {
        try {
            Class.forName("io.micrometer.prometheusmetrics.PrometheusMeterRegistry", false,
                    HealthEndpoint.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops serving and releases the port. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
            telemetry.removed(this);
        }
    }

    @Override
    public String toString() {
        return "HealthEndpoint[" + uri() + "]";
    }
}
