package dev.flowgentic4j.patterns.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.testkit.Probes;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What comes from outside and should not: an oversized message, a text message that is not
 * UTF-8, binary frames, a flood, a server that never completes the handshake, a server restarted
 * again and again. Each has a clear, counted outcome, and nothing is left behind.
 */
class WebSocketBadInputTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final String SUBSCRIBE = "{\"op\":\"subscribe\",\"topic\":\"prices\"}";
    private static final ReconnectBackoff FAST = new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 2.0);

    private WebSocketTestServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = WebSocketTestServer.start();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    private WebSocketSettings.Builder settings() {
        return WebSocketSettings.builder(server.uri()).name("bad").backoff(FAST).maxMessageSize(1024);
    }

    private static boolean connectedAgain(WebSocketService ws, long generation) {
        return Probes.eventually(T, () -> ws.generation() == generation
                && ws.state() == WebSocketService.ConnectionState.CONNECTED);
    }

    @Test
    void an_oversized_message_closes_the_connection_with_1009_and_a_new_one_replaces_it() throws Exception {
        try (WebSocketService ws = WebSocketService.connect(settings().build())) {
            assertThat(Probes.eventually(T, () -> server.openSessions() == 1)).isTrue();
            server.sendText(WebSocketTestServer.ofSize(4096));

            assertThat(connectedAgain(ws, 2)).isTrue();
            assertThat(server.closeCodes).containsExactly(1009);
            WebSocketStats stats = ws.stats();
            assertThat(stats.oversized()).isEqualTo(1);
            assertThat(stats.received()).isZero();
            assertThat(stats.lastDisconnect()).contains(
                    "generation 1: an inbound message was larger than maxMessageSize (1024 bytes): closed with 1009");
            assertThat(ws.request("{\"op\":\"echo\"}", T)).contains("bad-1");
            assertThatThrownBy(() -> ws.send(WebSocketTestServer.ofSize(2000), T))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger than maxMessageSize (1024 bytes)");
        }
    }

    @Test
    void a_text_message_that_is_not_utf8_closes_the_connection_with_1007_and_a_new_one_replaces_it() throws Exception {
        try (WebSocketService ws = WebSocketService.connect(settings().build())) {
            assertThat(Probes.eventually(T, () -> server.openSessions() == 1)).isTrue();
            server.sendRawText(WebSocketTestServer.invalidUtf8());

            assertThat(connectedAgain(ws, 2)).isTrue();
            assertThat(server.closeCodes).containsExactly(1007);
            assertThat(ws.stats().badPayload()).isEqualTo(1);
            assertThat(ws.stats().received()).isZero();
            assertThat(ws.stats().lastDisconnect()).contains(
                    "generation 1: an inbound text message was not valid UTF-8: closed with 1007");
        }
    }

    @Test
    void binary_frames_are_dropped_and_counted_by_default_and_close_with_1003_when_configured() throws Exception {
        try (WebSocketService ws = WebSocketService.connect(settings().build())) {
            assertThat(Probes.eventually(T, () -> server.openSessions() == 1)).isTrue();
            server.sendBinary(new byte[] {1, 2, 3});
            server.sendBinary(new byte[] {4});
            Probes.eventually(T, () -> ws.stats().binaryDropped() == 2);
            assertThat(ws.stats().binaryDropped()).isEqualTo(2);
            assertThat(ws.request("{\"op\":\"echo\"}", T)).contains("bad-1");
            assertThat(ws.generation()).isEqualTo(1);
        }
        try (WebSocketService ws = WebSocketService.connect(settings().name("strict")
                .binaryFrames(WebSocketSettings.BinaryFrames.CLOSE).build())) {
            assertThat(Probes.eventually(T, () -> server.openSessions() == 1)).isTrue();
            server.sendBinary(new byte[] {1, 2, 3});

            assertThat(connectedAgain(ws, 2)).isTrue();
            assertThat(server.closeCodes).containsExactly(1000, 1003);
            assertThat(ws.stats().lastDisconnect()).contains("generation 1: "
                    + "the server sent a binary message (3 bytes), which this service does not accept: closed with 1003");
        }
    }

    @Test
    void a_flood_fills_only_the_bounded_buffer_and_every_dropped_message_is_counted() throws Exception {
        int flood = 20_000;
        try (WebSocketService ws = WebSocketService.connect(settings()
                .subscription(SubscriptionSpec.all("feed").onConnect(SUBSCRIBE).capacity(100)).build())) {
            assertThat(Probes.eventually(T, () -> server.subscribedSessions() == 1)).isTrue();

            server.flood(flood, i -> "{\"seq\":" + i + "}");

            assertThat(Probes.eventually(Duration.ofSeconds(30), () -> ws.stats().received() == flood)).isTrue();
            Subscription.Stats feed = ws.stats().subscription("feed").orElseThrow();
            assertThat(feed.offered()).isEqualTo(flood);
            assertThat(feed.buffered()).isEqualTo(100);
            assertThat(feed.droppedOldest()).isEqualTo(flood - 100);
            assertThat(ws.subscription("feed").poll()).contains("{\"seq\":" + (flood - 100) + "}");
            assertThat(ws.request("{\"op\":\"echo\"}", T)).contains("bad-1");
            assertThat(ws.generation()).isEqualTo(1);
        }
    }

    @Test
    void a_server_that_never_completes_the_handshake_fails_the_connect_and_releases_the_socket_and_threads()
            throws Exception {
        long socketsBefore = Leaks.openSockets();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> accepted = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = silent.accept(); InputStream in = socket.getInputStream()) {
                    socket.setSoTimeout(20_000);
                    byte[] buffer = new byte[4096];
                    while (in.read(buffer) >= 0) {
                        // read the upgrade request and never answer it
                    }
                    return -1;     // the client closed its socket
                } catch (Exception e) {
                    return 0;
                }
            });
            WebSocketSettings s = WebSocketSettings.builder(URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/ws"))
                    .name("silent").connectTimeout(Duration.ofMillis(500)).header("Authorization", "Bearer never-shown-1234")
                    .build();

            assertThatThrownBy(() -> WebSocketService.connect(s))
                    .isInstanceOf(WebSocketException.class)
                    .hasMessageStartingWith("websocket 'silent' (ws://127.0.0.1:" + silent.getLocalPort() + "/ws) could not connect: ")
                    .hasMessageContaining("within PT0.5S")
                    .hasMessageNotContaining("never-shown");

            assertThat(accepted.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
            assertThat(Probes.eventually(T, () -> Leaks.threadsNamed("ws-silent-") == 0)).isTrue();
        }
        assertThat(Probes.eventually(T, () -> Leaks.openSockets() <= socketsBefore)).isTrue();
    }

    @Test
    void repeated_reconnects_keep_one_connection_and_a_bounded_set_of_threads() throws Exception {
        try (WebSocketService ws = WebSocketService.connect(settings().name("again")
                .subscription(SubscriptionSpec.all("feed").onConnect(SUBSCRIBE)).build())) {
            for (int generation = 2; generation <= 6; generation++) {
                server.restart();
                assertThat(connectedAgain(ws, generation)).as("generation %d", generation).isTrue();
            }
            assertThat(Probes.eventually(T, () -> server.openSessions() == 1)).isTrue();
            assertThat(Leaks.threadsNamed(ws.threadNamePrefix())).isLessThanOrEqualTo(ws.settings().threads() + 2);
            assertThat(ws.stats().subscription("feed").orElseThrow().restored()).isEqualTo(5);
        }
    }
}
