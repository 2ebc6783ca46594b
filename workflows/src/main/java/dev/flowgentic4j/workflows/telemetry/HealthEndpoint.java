package dev.flowgentic4j.workflows.telemetry;

import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.telemetry.micrometer.PrometheusScrape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP endpoint for probes and scrapers, started by {@link Telemetry#startHealthEndpoint(int)}
 * or {@link Telemetry#startHealthEndpoint(HealthEndpointConfig)} (127.0.0.1 unless configured) and
 * stopped by {@link #close()} or the engine's close:
 * <ul>
 *   <li>{@code GET /health/live}: 200, or 503 once the engine is closed or a service FAILED (it will
 *       not recover by itself: the process should be restarted);</li>
 *   <li>{@code GET /health/ready}: 200 when every service is RUNNING (stopped ones are ignored),
 *       not restarting and not UNHEALTHY; 503 while one is starting, restarting, unhealthy or failed;</li>
 *   <li>{@code GET /metrics}: the engine's metrics in Prometheus text format (needs
 *       {@code io.micrometer:micrometer-registry-prometheus}; 404 saying so without it).</li>
 * </ul>
 * Both health documents are JSON: {@code {"status":"UP","services":[{"id":..,"name":..,"state":..,
 * "health":..,"generation":..,"restarting":..}]}}.
 *
 * <p>Paths match exactly (no prefix, no normalisation); GET and HEAD only (405 otherwise, 404 for
 * another path). One daemon thread serves every connection without blocking (a non-blocking
 * selector), so a slow or silent client never delays a probe: each connection has
 * {@link HealthEndpointConfig#requestTimeout()} to send its request head (at most
 * {@link HealthEndpointConfig#maxRequestHeadBytes()}, 431 beyond) and again to read the answer;
 * request bodies are never read (every answer closes the connection); at most
 * {@link HealthEndpointConfig#maxConnections()} are open at once.
 *
 * <p>Thread-safe; {@link #close()} may be called from any thread.
 */
public final class HealthEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthEndpoint.class);
    /** After an answer, what a client still sends is read and dropped, up to this many bytes. */
    private static final int DRAIN_LIMIT = 64 * 1024;
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final String NOT_FOUND = "not found; try /health/live, /health/ready or /metrics\n";

    private final Telemetry telemetry;
    private final HealthEndpointConfig config;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final InetSocketAddress address;
    private final URI uri;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    // the fields below are used by the endpoint's thread only
    private final ByteBuffer scratch = ByteBuffer.allocate(8192);
    private Supplier<String> scrape;
    private int open;

    private HealthEndpoint(Telemetry telemetry, HealthEndpointConfig config, Selector selector,
                           ServerSocketChannel server) throws IOException {
        this.telemetry = telemetry;
        this.config = config;
        this.selector = selector;
        this.server = server;
        this.address = (InetSocketAddress) server.getLocalAddress();
        this.uri = uriOf(address);
        this.thread = new Thread(this::serve, "flowgentic4j-health-" + address.getPort());
        this.thread.setDaemon(true); // never keeps the JVM alive
    }

    static HealthEndpoint start(Telemetry telemetry, HealthEndpointConfig config) {
        InetSocketAddress bind = new InetSocketAddress(config.bindAddress(), config.port());
        Selector selector = null;
        ServerSocketChannel server = null;
        try {
            selector = Selector.open();
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(bind, 128);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            HealthEndpoint endpoint = new HealthEndpoint(telemetry, config, selector, server);
            endpoint.thread.start();
            return endpoint;
        } catch (IOException e) {
            closeQuietly(server);
            closeQuietly(selector);
            throw new UncheckedIOException("cannot bind the health endpoint to "
                    + hostLiteral(config.bindAddress().getHostAddress()) + ":" + config.port() + ": " + e.getMessage(), e);
        }
    }

    /** The bound port. */
    public int port() {
        return address.getPort();
    }

    /** The bound address and port. */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * {@code http://HOST:PORT} where HOST is the bound address, or 127.0.0.1 when bound to every
     * interface.
     */
    public URI uri() {
        return uri;
    }

    /** The configuration it was started with. */
    public HealthEndpointConfig config() {
        return config;
    }

    private static URI uriOf(InetSocketAddress address) {
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
        int scope = host.indexOf('%');
        if (scope >= 0) {
            host = host.substring(0, scope);
        }
        try {
            return new URI("http", null, host, address.getPort(), null, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot form a URI for " + address, e);
        }
    }

    private static String hostLiteral(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    // ---- the endpoint's thread ----

    private void serve() {
        try {
            while (!closed.get()) {
                long waitMillis = expire(System.nanoTime());
                selector.select(waitMillis);
                if (closed.get()) {
                    break;
                }
                for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                        continue;
                    }
                    Connection c = (Connection) key.attachment();
                    try {
                        if (key.isReadable()) {
                            c.readable();
                        } else if (key.isWritable()) {
                            c.writable();
                        }
                    } catch (IOException | RuntimeException e) { // this client's trouble ends its connection only
                        log.debug("health endpoint {}: connection from {} dropped: {}", uri, c.peer, e.toString());
                        c.close();
                    }
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            if (!closed.get()) {
                log.error("health endpoint {} stopped serving", uri, e);
            }
        } finally {
            for (SelectionKey key : new ArrayList<>(selector.keys())) {
                if (key.attachment() instanceof Connection c) {
                    c.close();
                }
            }
            closeQuietly(server);
            closeQuietly(selector);
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            if (open >= config.maxConnections()) {
                log.debug("health endpoint {}: {} connections open, refusing one more", uri, open);
                closeQuietly(channel);
                continue;
            }
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Connection c = new Connection(channel, System.nanoTime() + config.requestTimeout().toNanos());
                c.key = channel.register(selector, SelectionKey.OP_READ, c);
                open++;
            } catch (IOException e) {
                closeQuietly(channel);
            }
        }
    }

    /** Closes the connections past their deadline; returns how long select may wait (0: no deadline). */
    private long expire(long now) {
        long next = Long.MAX_VALUE;
        for (SelectionKey key : new ArrayList<>(selector.keys())) {
            if (key.attachment() instanceof Connection c && !c.closed) {
                if (now - c.deadline >= 0) {
                    c.timedOut();
                } else {
                    next = Math.min(next, c.deadline - now);
                }
            }
        }
        return next == Long.MAX_VALUE ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(next) + 1);
    }

    private enum Phase { HEAD, ANSWER, DRAIN }

    /** One client connection: read its request head, answer, then drop what it still sends. */
    private final class Connection {
        final SocketChannel channel;
        final String peer;
        final ByteBuffer in;
        SelectionKey key;
        ByteBuffer out;
        Phase phase = Phase.HEAD;
        long deadline;
        int scanned;
        int drained;
        boolean closed;

        Connection(SocketChannel channel, long deadline) {
            this.channel = channel;
            this.deadline = deadline;
            this.in = ByteBuffer.allocate(config.maxRequestHeadBytes());
            String p;
            try {
                p = String.valueOf(channel.getRemoteAddress());
            } catch (IOException e) {
                p = "?";
            }
            this.peer = p;
        }

        void readable() throws IOException {
            if (phase == Phase.DRAIN) {
                scratch.clear();
                int n = channel.read(scratch);
                drained += Math.max(n, 0);
                if (n < 0 || drained > DRAIN_LIMIT) {
                    close();
                }
                return;
            }
            int n = channel.read(in);
            if (n < 0) {
                close(); // the client went away before finishing its request
                return;
            }
            int end = headEnd();
            if (end >= 0) {
                answer(handle(new String(in.array(), 0, end, StandardCharsets.ISO_8859_1)));
            } else if (!in.hasRemaining()) {
                answer(Response.text(431, "the request line and headers exceed " + config.maxRequestHeadBytes()
                        + " bytes\n"));
            }
        }

        /** The length of the request head once a blank line ends it, else -1. */
        private int headEnd() {
            byte[] a = in.array();
            int limit = in.position();
            for (int i = Math.max(0, scanned - 3); i < limit; i++) {
                if (a[i] == '\n') {
                    if (i >= 1 && a[i - 1] == '\n') {
                        return i + 1;
                    }
                    if (i >= 2 && a[i - 1] == '\r' && a[i - 2] == '\n') {
                        return i + 1;
                    }
                }
            }
            scanned = limit;
            return -1;
        }

        private void answer(Response response) throws IOException {
            phase = Phase.ANSWER;
            out = ByteBuffer.wrap(response.bytes());
            deadline = System.nanoTime() + config.requestTimeout().toNanos();
            key.interestOps(SelectionKey.OP_WRITE);
            writable();
        }

        void writable() throws IOException {
            channel.write(out);
            if (!out.hasRemaining()) {
                channel.shutdownOutput(); // the answer is complete: the client sees its end at once
                phase = Phase.DRAIN;      // closing with unread bytes would reset the connection
                deadline = System.nanoTime() + Math.min(DRAIN_NANOS, config.requestTimeout().toNanos());
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        void timedOut() {
            if (phase == Phase.HEAD) {
                try { // best effort: a client still waiting learns why
                    channel.write(ByteBuffer.wrap(Response.text(408, "no complete request within "
                            + config.requestTimeout().toMillis() + " ms\n").bytes()));
                } catch (IOException | RuntimeException e) {
                    // it goes either way
                }
                log.debug("health endpoint {}: {} sent no complete request within {} ms", uri, peer,
                        config.requestTimeout().toMillis());
            }
            close();
        }

        void close() {
            if (!closed) {
                closed = true;
                open--;
                if (key != null) {
                    key.cancel();
                }
                closeQuietly(channel);
            }
        }
    }

    /** An answer: status, content type, body, and whether the body is sent (not for HEAD). */
    private record Response(int status, String type, String body, boolean withBody, String allow) {
        static Response text(int status, String body) {
            return new Response(status, "text/plain; charset=utf-8", body, true, null);
        }

        byte[] bytes() {
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(160).append("HTTP/1.1 ").append(status).append(' ')
                    .append(reason(status)).append("\r\nContent-Type: ").append(type)
                    .append("\r\nContent-Length: ").append(content.length)
                    .append("\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n");
            if (allow != null) {
                head.append("Allow: ").append(allow).append("\r\n");
            }
            byte[] h = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
            if (!withBody) {
                return h;
            }
            byte[] all = new byte[h.length + content.length];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(content, 0, all, h.length, content.length);
            return all;
        }

        private static String reason(int status) {
            return switch (status) {
                case 200 -> "OK";
                case 400 -> "Bad Request";
                case 404 -> "Not Found";
                case 405 -> "Method Not Allowed";
                case 408 -> "Request Timeout";
                case 431 -> "Request Header Fields Too Large";
                case 500 -> "Internal Server Error";
                case 503 -> "Service Unavailable";
                default -> "Status";
            };
        }
    }

    /** Answers one request head (request line and headers, ISO-8859-1); no body for HEAD. */
    private Response handle(String head) {
        Response r = route(head);
        return head.startsWith("HEAD ") ? new Response(r.status(), r.type(), r.body(), false, r.allow()) : r;
    }

    private Response route(String head) {
        int eol = head.indexOf('\n');
        String line = (eol < 0 ? head : head.substring(0, eol)).replace("\r", "");
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || !parts[0].matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}")
                || !parts[2].matches("HTTP/1\\.[01]")) {
            return Response.text(400, "bad request line\n");
        }
        String method = parts[0];
        String target = parts[1];
        if (target.startsWith("http://") || target.startsWith("https://")) { // absolute form
            int slash = target.indexOf('/', target.indexOf("//") + 2);
            target = slash < 0 ? "/" : target.substring(slash);
        }
        if (!target.startsWith("/")) {
            return Response.text(400, "bad request target\n");
        }
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        if (!path.equals("/health/live") && !path.equals("/health/ready") && !path.equals("/metrics")) {
            return Response.text(404, NOT_FOUND);
        }
        if (!method.equals("HEAD") && !method.equals("GET")) {
            return new Response(405, "text/plain; charset=utf-8", "only GET and HEAD are served\n", true, "GET, HEAD");
        }
        try {
            return path.equals("/metrics") ? metrics() : health(path.equals("/health/ready"));
        } catch (RuntimeException | LinkageError e) {
            log.warn("health endpoint {}: {} failed", uri, path, e);
            return Response.text(500, "internal error\n");
        }
    }

    private Response health(boolean readiness) {
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
        return new Response(up ? 200 : 503, "application/json", body, true, null);
    }

    private Response metrics() {
        Supplier<String> s = scrape;
        if (s == null) {
            if (!prometheusPresent()) {
                return Response.text(404,
                        "no /metrics: add io.micrometer:micrometer-registry-prometheus to the class path\n");
            }
            s = scrape = PrometheusScrape.of(telemetry.metrics()); // only this thread serves requests
        }
        return new Response(200, "text/plain; version=0.0.4; charset=utf-8", s.get(), true, null);
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

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // nothing more to do
            }
        }
    }

    /**
     * Stops serving, closes every connection and releases the port before it returns. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            selector.wakeup();
            if (Thread.currentThread() != thread) {
                try {
                    thread.join(TimeUnit.SECONDS.toMillis(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            telemetry.removed(this);
        }
    }

    @Override
    public String toString() {
        return "HealthEndpoint[" + uri + "]";
    }
}
