package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.telemetry.HealthEndpoint;
import dev.flowgentic4j.workflows.telemetry.HealthEndpointConfig;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The health endpoint against slow, silent, malformed and hostile clients, over real sockets on 127.0.0.1. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HealthEndpointHostileTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final FlowEngine engine = FlowEngine.create(fastConfig());
    private final List<Socket> clients = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        for (Socket s : clients) {
            s.close();
        }
        engine.close();
    }

    private HealthEndpoint start(HealthEndpointConfig.Builder config) {
        return engine.telemetry().startHealthEndpoint(config.build());
    }

    /** A connection that sends {@code bytes} and then holds the connection open, sending nothing more. */
    private Socket holding(HealthEndpoint endpoint, String bytes) throws IOException {
        Socket s = new Socket();
        clients.add(s);
        s.connect(endpoint.address(), 5000);
        s.setSoTimeout((int) WAIT.toMillis());
        s.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        return s;
    }

    /** Everything the server sends until it closes the connection. */
    private static String readAll(Socket s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** One raw exchange: {@code request} as written, the whole answer as read. */
    private String exchange(InetSocketAddress address, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(address, 5000);
            s.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return readAll(s);
        }
    }

    private String get(HealthEndpoint endpoint, String method, String target) throws IOException {
        return exchange(endpoint.address(), method + " " + target + " HTTP/1.1\r\nHost: probe\r\n\r\n");
    }

    private static int status(String answer) {
        assertThat(answer).startsWith("HTTP/1.1 ");
        return Integer.parseInt(answer.substring(9, 12));
    }

    private static String body(String answer) {
        return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void clients_that_send_part_of_a_request_and_wait_do_not_delay_probes() throws Exception {
        HealthEndpoint endpoint = start(HealthEndpointConfig.builder().requestTimeout(Duration.ofMinutes(2)));
        for (int i = 0; i < 20; i++) {
            holding(endpoint, "GET /health/li"); // 14 bytes, then nothing for two minutes
        }
        holding(endpoint, "POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"); // no body, ever

        // every probe is answered while those connections are held
        for (int i = 0; i < 10; i++) {
            String live = get(endpoint, "GET", "/health/live");
            assertThat(status(live)).isEqualTo(200);
            assertThat(body(live)).startsWith("{\"status\":\"UP\"");
            assertThat(status(get(endpoint, "GET", "/health/ready"))).isEqualTo(200);
        }
    }

    @RepeatedTest(2)
    void concurrent_probes_are_all_answered_while_slow_clients_hold_connections() throws Exception {
        HealthEndpoint endpoint = start(HealthEndpointConfig.builder().requestTimeout(Duration.ofMinutes(2))
                .maxConnections(256));
        for (int i = 0; i < 20; i++) {
            holding(endpoint, i % 2 == 0 ? "GET /health/li" : "POST /metrics HTTP/1.1\r\nContent-Length: 50\r\n\r\n");
        }
        java.util.concurrent.ExecutorService probes = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 160; i++) {
                String path = i % 2 == 0 ? "/health/live" : "/health/ready";
                answers.add(probes.submit(() -> status(get(endpoint, "GET", path))));
            }
            for (var answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            probes.shutdownNow();
            assertThat(probes.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void a_post_that_never_sends_its_body_is_answered_405_without_waiting_for_it() throws Exception {
        HealthEndpoint endpoint = start(HealthEndpointConfig.builder().requestTimeout(Duration.ofMinutes(2)));
        Socket post = holding(endpoint, "POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");

        String answer = readAll(post); // the server answers and closes; the client never sent its body
        assertThat(status(answer)).isEqualTo(405);
        assertThat(answer).contains("\r\nAllow: GET, HEAD\r\n", "\r\nConnection: close\r\n");
        assertThat(status(get(endpoint, "GET", "/health/live"))).isEqualTo(200);
    }

    @Test
    void a_silent_client_is_answered_408_and_disconnected_after_the_request_timeout() throws Exception {
        HealthEndpoint endpoint = start(HealthEndpointConfig.builder().requestTimeout(Duration.ofMillis(300)));
        Socket slow = holding(endpoint, "GET /health/li");
        Socket silent = holding(endpoint, "");

        assertThat(status(readAll(slow))).isEqualTo(408); // then the end of the stream: closed by the server
        assertThat(status(readAll(silent))).isEqualTo(408);
        assertThat(status(get(endpoint, "GET", "/health/live"))).isEqualTo(200);
    }

    @Test
    void request_heads_are_bounded() throws Exception {
        HealthEndpoint endpoint = start(HealthEndpointConfig.builder().maxRequestHeadBytes(1024));
        String big = "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Padding: " + "a".repeat(4096) + "\r\n\r\n";
        String answer = exchange(endpoint.address(), big);
        assertThat(status(answer)).isEqualTo(431);
        assertThat(body(answer)).contains("exceed 1024 bytes");

        Socket endless = holding(endpoint, "GET /" + "x".repeat(2000)); // a request line that never ends
        assertThat(status(readAll(endless))).isEqualTo(431);
        assertThat(status(get(endpoint, "GET", "/health/live"))).isEqualTo(200);
    }

    @Test
    void only_the_exact_paths_are_served_and_only_to_get_and_head() throws Exception {
        HealthEndpoint endpoint = engine.telemetry().startHealthEndpoint(0);
        for (String method : List.of("POST", "PUT", "DELETE", "TRACE", "PATCH", "OPTIONS", "FOO")) {
            for (String path : List.of("/health/live", "/health/ready", "/metrics")) {
                String answer = get(endpoint, method, path);
                assertThat(status(answer)).as(method + " " + path).isEqualTo(405);
                assertThat(answer).contains("\r\nAllow: GET, HEAD\r\n");
            }
        }
        for (String path : List.of("/health/liveXYZ", "/health/live/", "/metrics/../health/live", "/health/../metrics",
                "/health/%6Cive", "/HEALTH/LIVE", "/health", "/", "/health/live;x", "//health/live")) {
            assertThat(status(get(endpoint, "GET", path))).as(path).isEqualTo(404);
            assertThat(status(get(endpoint, "POST", path))).as("POST " + path).isEqualTo(404);
        }
        assertThat(status(get(endpoint, "GET", "/health/live?verbose=1"))).isEqualTo(200);
        assertThat(status(get(endpoint, "GET", "http://probe/health/ready"))).isEqualTo(200);
        assertThat(status(exchange(endpoint.address(), "GET /health/live HTTP/1.0\r\n\r\n"))).isEqualTo(200);
        for (String bad : List.of("GET /health/live\r\n\r\n", "GET  /health/live HTTP/1.1\r\n\r\n",
                "GET /health/live HTTP/2.0\r\n\r\n", "GET health/live HTTP/1.1\r\n\r\n", "\u0000\u0001\r\n\r\n",
                "G(T /health/live HTTP/1.1\r\n\r\n")) {
            assertThat(status(exchange(endpoint.address(), bad))).as(bad).isEqualTo(400);
        }
    }

    @Test
    void head_answers_the_headers_of_get_without_a_body_and_logs_nothing() throws Exception {
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        try {
            HealthEndpoint endpoint = engine.telemetry().startHealthEndpoint(0);
            String get = get(endpoint, "GET", "/health/live");
            for (int i = 0; i < 5; i++) {
                String head = get(endpoint, "HEAD", "/health/live");
                assertThat(status(head)).isEqualTo(200);
                assertThat(head).endsWith("\r\n\r\n"); // nothing after the headers
                assertThat(head).contains("\r\nContent-Length: " + body(get).getBytes(StandardCharsets.UTF_8).length
                        + "\r\n");
            }
            assertThat(get(endpoint, "HEAD", "/nowhere")).startsWith("HTTP/1.1 404").endsWith("\r\n\r\n");
        } finally {
            root.removeHandler(handler);
        }
        assertThat(warnings).extracting(LogRecord::getMessage).isEmpty();
    }

    @Test
    void past_the_connection_limit_a_client_is_closed_at_once_and_the_endpoint_recovers() throws Exception {
        HealthEndpoint endpoint = start(HealthEndpointConfig.builder().maxConnections(4)
                .requestTimeout(Duration.ofSeconds(2)));
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(holding(endpoint, "GET /he"));
        }
        // the fifth is accepted by the kernel and closed by the endpoint without an answer
        Socket fifth = holding(endpoint, "");
        assertThat(readAll(fifth)).isEmpty();

        for (Socket s : held) {
            assertThat(status(readAll(s))).isEqualTo(408);
        }
        assertThat(status(get(endpoint, "GET", "/health/live"))).isEqualTo(200);
    }

    @Test
    void a_configured_address_is_bound_and_loopback_stays_the_default() throws Exception {
        HealthEndpoint byDefault = engine.telemetry().startHealthEndpoint(0);
        assertThat(byDefault.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(byDefault.uri().getHost()).isEqualTo("127.0.0.1");

        HealthEndpoint other = start(HealthEndpointConfig.builder().bindAddress("127.0.0.2"));
        assertThat(other.uri().toString()).isEqualTo("http://127.0.0.2:" + other.port());
        assertThat(status(get(other, "GET", "/health/live"))).isEqualTo(200);
        assertThatThrownBy(() -> exchange(new InetSocketAddress(InetAddress.getLoopbackAddress(), other.port()),
                "GET /health/live HTTP/1.1\r\n\r\n")).isInstanceOf(ConnectException.class);

        HealthEndpoint every = start(HealthEndpointConfig.builder().bindAddress("0.0.0.0"));
        assertThat(every.address().getAddress().isAnyLocalAddress()).isTrue();
        assertThat(every.uri().getHost()).isEqualTo("127.0.0.1");
        assertThat(status(exchange(new InetSocketAddress(InetAddress.getLoopbackAddress(), every.port()),
                "GET /health/ready HTTP/1.1\r\n\r\n"))).isEqualTo(200);

        for (String bad : List.of("example.com", "999.1.1.1", "1.2.3", "1:2:zz", "", "127.0.0.1\nx")) {
            assertThatThrownBy(() -> HealthEndpointConfig.builder().bindAddress(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bindAddress");
        }
        assertThat(HealthEndpointConfig.builder().bindAddress("::1").build().bindAddress().isLoopbackAddress()).isTrue();
        assertThat(HealthEndpointConfig.builder().bindAddress("[::]").build().bindAddress().isAnyLocalAddress())
                .isTrue();
        assertThatThrownBy(() -> HealthEndpointConfig.builder().port(70000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> HealthEndpointConfig.builder().requestTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> start(HealthEndpointConfig.builder().bindAddress("127.0.0.2").port(other.port())))
                .isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining("127.0.0.2:" + other.port());
    }

    private static long openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private static List<String> fdTargets() {
        List<String> targets = new ArrayList<>();
        String[] fds = new File("/proc/self/fd").list();
        for (String fd : fds == null ? new String[0] : fds) {
            try {
                targets.add(java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).toString());
            } catch (IOException gone) {
                // closed meanwhile
            }
        }
        return targets;
    }

    private static long endpointThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).filter(t -> t.getName().startsWith("flowgentic4j-health")).count();
    }

    @RepeatedTest(3)
    void nothing_is_left_behind_after_hostile_clients_and_close() throws Exception {
        Fakes.eventually(WAIT, () -> true);          // loads Awaitility now: a class loader opens jars as it goes
        assertThat(fdTargets()).isNotEmpty();         // and AssertJ's list support
        long fdsBefore = openFds();
        List<String> targetsBefore = fdTargets();
        long threadsBefore = endpointThreads();
        HealthEndpoint endpoint = start(HealthEndpointConfig.builder().requestTimeout(Duration.ofMinutes(1)));
        assertThat(endpointThreads()).isEqualTo(threadsBefore + 1);
        for (int i = 0; i < 10; i++) {
            holding(endpoint, "GET /health/li");
            holding(endpoint, "POST /metrics HTTP/1.1\r\nContent-Length: 99\r\n\r\n");
        }
        assertThat(status(get(endpoint, "GET", "/health/live"))).isEqualTo(200);

        endpoint.close(); // closes the held connections too
        for (Socket s : clients) {
            try {
                readAll(s); // the server's end arrives: nothing blocks
            } catch (java.net.SocketException reset) {
                // also an end: closed before it had read what this client sent
            }
            s.close();
        }
        clients.clear();

        assertThat(endpointThreads()).isEqualTo(threadsBefore);
        boolean back = Fakes.eventually(WAIT, () -> openFds() == fdsBefore);
        assertThat(back).as("open fds back to " + fdsBefore + "; before " + targetsBefore + ", after " + fdTargets())
                .isTrue();
        assertThatThrownBy(() -> get(endpoint, "GET", "/health/live")).isInstanceOf(ConnectException.class);
    }

    @Test
    void an_endpoint_never_closed_does_not_keep_the_jvm_alive() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                NeverClosedEndpointMain.class.getName()).redirectErrorStream(true).start();
        try {
            String output;
            boolean exited = child.waitFor(60, TimeUnit.SECONDS);
            output = new String(child.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
            assertThat(exited).as("the child JVM exited on its own; it printed: " + output).isTrue();
            assertThat(child.exitValue()).isZero();
            assertThat(output).contains("health endpoint answered 200 on port");
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The child JVM: starts an engine and its endpoint, probes it once, and returns from main without closing. */
    public static final class NeverClosedEndpointMain {
        public static void main(String[] args) throws Exception {
            FlowEngine engine = FlowEngine.create();
            HealthEndpoint endpoint = engine.telemetry().startHealthEndpoint(0);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), endpoint.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET /health/live HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                System.out.println("health endpoint answered " + answer.substring(9, 12) + " on port " + endpoint.port());
            } catch (SocketTimeoutException e) {
                System.out.println("no answer: " + e);
            }
            System.out.flush();
        }
    }
}
