package dev.flowgentic4j.patterns.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.patterns.PatternServices;
import dev.flowgentic4j.testkit.Probes;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The WebSocket pattern's calls against a real Jetty 12 WebSocket server on 127.0.0.1. */
class WebSocketServiceTest {
    private static final Duration T = Duration.ofSeconds(5);
    private static final String TOKEN = "Bearer s3cr3t-token-for-tests";
    private static final String SUBSCRIBE = "{\"op\":\"subscribe\",\"topic\":\"prices\"}";

    private WebSocketTestServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = WebSocketTestServer.start("Authorization", TOKEN);
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    private WebSocketSettings.Builder settings() {
        return WebSocketSettings.builder(server.uri()).name("t").header("Authorization", TOKEN);
    }

    @Test
    void sends_with_the_auth_header_and_matches_replies_by_correlation_id() throws Exception {
        try (WebSocketService ws = WebSocketService.connect(settings().build())) {
            ws.send("{\"op\":\"note\",\"text\":\"hello\"}", T);
            List<CompletableFuture<String>> replies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                replies.add(ws.requestAsync("{\"op\":\"echo\",\"n\":" + i + "}", T));
            }
            for (int i = 0; i < 20; i++) {
                String reply = replies.get(i).get(5, TimeUnit.SECONDS);
                assertThat(reply).contains("\"n\":" + i + "}");
                assertThat(Correlation.defaults().idOf(reply)).isPresent();
            }
            String one = ws.request("{\"op\":\"echo\",\"n\":99}", T);

            assertThat(one).startsWith("{\"id\":\"t-21\",").contains("\"n\":99");
            assertThat(server.handshakes.get()).isEqualTo(1);
            assertThat(server.received).contains("{\"op\":\"note\",\"text\":\"hello\"}");
            WebSocketStats stats = ws.stats();
            assertThat(stats.replies()).isEqualTo(21);
            assertThat(stats.sent()).isEqualTo(22);
            assertThat(stats.state()).isEqualTo(WebSocketService.ConnectionState.CONNECTED);
            assertThat(stats.generation()).isEqualTo(1);
        }
    }

    @Test
    void a_refused_handshake_fails_the_connect_naming_the_status_and_leaves_no_thread() {
        WebSocketSettings wrong = WebSocketSettings.builder(server.uri()).name("refused")
                .header("Authorization", "Bearer wrong-secret-value").build();

        assertThatThrownBy(() -> WebSocketService.connect(wrong))
                .isInstanceOf(WebSocketException.class)
                .hasMessageContaining("ws://127.0.0.1:" + server.port() + "/ws")
                .hasMessageContaining("HTTP 401")
                .hasMessageNotContaining("wrong-secret-value");
        assertThat(server.refused.get()).isEqualTo(1);
        assertThat(Probes.eventually(T, () -> Leaks.threadsNamed("ws-refused-") == 0)).isTrue();
    }

    @Test
    void a_request_without_reply_fails_with_no_reply_after_its_timeout() {
        try (WebSocketService ws = WebSocketService.connect(settings().build())) {
            assertThatThrownBy(() -> ws.request("{\"op\":\"silent\"}", Duration.ofMillis(300)))
                    .isInstanceOf(WebSocketException.NoReply.class)
                    .hasMessageContaining("no reply to request 't-1'")
                    .hasMessageContaining("within PT0.3S");
            assertThat(ws.stats().noReply()).isEqualTo(1);
            assertThat(ws.request("{\"op\":\"echo\"}", T)).contains("t-2");
        }
    }

    @Test
    void subscriptions_take_matching_messages_through_bounded_buffers_with_counted_overflow() throws Exception {
        WebSocketSettings s = settings()
                .subscription(SubscriptionSpec.of("oldest", m -> m.startsWith("p")).onConnect(SUBSCRIBE)
                        .capacity(3).overflow(OverflowPolicy.DROP_OLDEST))
                .subscription(SubscriptionSpec.of("newest", m -> m.startsWith("p")).capacity(3)
                        .overflow(OverflowPolicy.DROP_NEWEST))
                .build();
        try (WebSocketService ws = WebSocketService.connect(s)) {
            assertThat(Probes.eventually(T, () -> server.subscribedSessions() == 1)).isTrue();
            for (int i = 1; i <= 5; i++) {
                server.publish("p" + i);
            }
            server.publish("other");
            assertThat(Probes.eventually(T, () -> ws.stats().received() == 6)).isTrue();

            Subscription oldest = ws.subscription("oldest");
            Subscription newest = ws.subscription("newest");
            assertThat(oldest.drain(10)).containsExactly("p3", "p4", "p5");
            assertThat(newest.drain(10)).containsExactly("p1", "p2", "p3");
            assertThat(oldest.stats().droppedOldest()).isEqualTo(2);
            assertThat(newest.stats().droppedNewest()).isEqualTo(2);
            assertThat(oldest.stats().offered()).isEqualTo(5);
            assertThat(oldest.stats().taken()).isEqualTo(3);
            assertThat(ws.stats().unrouted()).isEqualTo(1);
            assertThat(oldest.poll(Duration.ofMillis(50))).isEmpty();
            assertThatThrownBy(() -> ws.subscription("missing"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[oldest, newest]");
        }
    }

    @Test
    void a_block_subscription_holds_the_reader_until_the_consumer_takes_and_drops_nothing() throws Exception {
        WebSocketSettings s = settings()
                .subscription(SubscriptionSpec.all("all").onConnect(SUBSCRIBE).capacity(2).overflow(OverflowPolicy.BLOCK))
                .build();
        try (WebSocketService ws = WebSocketService.connect(s)) {
            assertThat(Probes.eventually(T, () -> server.subscribedSessions() == 1)).isTrue();
            server.flood(50, i -> "m" + i);
            Subscription all = ws.subscription("all");
            assertThat(Probes.eventually(T, () -> all.stats().blocked() >= 1)).isTrue();
            assertThat(all.stats().buffered()).isEqualTo(2);

            List<String> got = new ArrayList<>();
            while (got.size() < 50) {
                Optional<String> next = all.poll(T);
                assertThat(next).as("message %d", got.size()).isPresent();
                got.add(next.get());
            }

            assertThat(got).first().isEqualTo("m0");
            assertThat(got).last().isEqualTo("m49");
            assertThat(got).doesNotHaveDuplicates().hasSize(50);
            Subscription.Stats stats = all.stats();
            assertThat(stats.droppedOldest() + stats.droppedNewest()).isZero();
            assertThat(stats.blocked()).isGreaterThanOrEqualTo(1);
            assertThat(stats.taken()).isEqualTo(50);
            assertThat(ws.state()).isEqualTo(WebSocketService.ConnectionState.CONNECTED);
        }
    }

    @Test
    void a_reader_held_by_a_full_block_subscription_is_not_mistaken_for_a_lost_connection() throws Exception {
        WebSocketSettings s = settings().ping(Duration.ofMillis(100), Duration.ofMillis(200))
                .subscription(SubscriptionSpec.all("all").onConnect(SUBSCRIBE).capacity(1).overflow(OverflowPolicy.BLOCK))
                .build();
        try (WebSocketService ws = WebSocketService.connect(s)) {
            assertThat(Probes.eventually(T, () -> server.subscribedSessions() == 1)).isTrue();
            server.flood(5, i -> "m" + i);
            Subscription all = ws.subscription("all");
            assertThat(Probes.eventually(T, () -> all.stats().blocked() == 1)).isTrue();
            long pingsWhenHeld = ws.stats().pings();

            // several ping intervals and pong timeouts pass while the reader is held
            assertThat(Probes.eventually(T, () -> ws.stats().pings() >= pingsWhenHeld + 5)).isTrue();

            assertThat(ws.stats().missedPongs()).isZero();
            assertThat(ws.generation()).isEqualTo(1);
            ws.checkHealth();
            for (int i = 0; i < 5; i++) {
                assertThat(all.poll(T)).contains("m" + i);
            }
            long pongsAfter = ws.stats().pongs();
            assertThat(Probes.eventually(T, () -> ws.stats().pongs() > pongsAfter)).isTrue();
            assertThat(ws.state()).isEqualTo(WebSocketService.ConnectionState.CONNECTED);
        }
    }

    @Test
    void close_sends_1000_waits_for_the_servers_close_and_ends_every_thread_and_socket() throws Exception {
        long socketsBefore = Leaks.openSockets();
        WebSocketService ws = WebSocketService.connect(settings().name("closing").build());
        String prefix = ws.threadNamePrefix();
        assertThat(Leaks.threadsNamed(prefix)).isPositive();

        ws.close();

        assertThat(ws.closeOutcome()).isEqualTo("closed with 1000, the server answered 1000");
        assertThat(server.closeCodes).containsExactly(1000);
        assertThat(Probes.eventually(T, () -> Leaks.threadsNamed(prefix) == 0)).isTrue();
        assertThat(Probes.eventually(T, () -> Leaks.openSockets() <= socketsBefore)).isTrue();
        assertThat(ws.state()).isEqualTo(WebSocketService.ConnectionState.CLOSED);
        assertThatThrownBy(() -> ws.send("{}", T)).isInstanceOf(WebSocketException.Unavailable.class)
                .hasMessageContaining("is stopped");
        ws.close();   // harmless
    }

    @Test
    void as_a_service_task_it_is_ready_after_a_pong_healthy_while_connected_and_cancel_closes_it() throws Exception {
        try (FlowEngine engine = FlowEngine.create()) {
            ServiceFuture<WebSocketService> feed = engine.serviceTask(PatternServices.webSocket())
                    .start(settings().name("svc").ping(Duration.ofMillis(200), Duration.ofSeconds(2)).build());
            WebSocketService ws = feed.awaitRunning(T);

            assertThat(ws.stats().pongs()).isGreaterThanOrEqualTo(1);
            String echoed = feed.call(T, w -> w.request("{\"op\":\"echo\"}", T));
            assertThat(echoed).contains("svc-1");
            assertThat(Probes.eventually(T, () -> ws.stats().pings() >= 3)).isTrue();
            assertThat(ws.stats().missedPongs()).isZero();
            ws.checkHealth();
            String prefix = ws.threadNamePrefix();

            feed.cancel(true);

            assertThat(feed.state()).isEqualTo(ServiceState.TERMINATED);
            assertThat(server.closeCodes).containsExactly(1000);
            assertThat(Probes.eventually(T, () -> Leaks.threadsNamed(prefix) == 0)).isTrue();
            assertThat(feed.health().state()).isNotEqualTo(HealthStatus.State.UNHEALTHY);
        }
    }
}
