package dev.flowgentic4j.patterns.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.testkit.Probes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Supervision of the connection against a real server that is stopped and restarted, and a real
 * TCP proxy that stalls or cuts the network: reconnect as a new generation with the subscriptions
 * restored, sends waiting within their timeout, and a stop whose close is never answered.
 */
class WebSocketSupervisionTest {
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

    private WebSocketSettings.Builder settings(java.net.URI uri) {
        return WebSocketSettings.builder(uri).name("sup").backoff(FAST).connectTimeout(Duration.ofSeconds(1))
                .subscription(SubscriptionSpec.of("prices", m -> m.startsWith("price")).onConnect(SUBSCRIBE).capacity(100));
    }

    @Test
    void a_server_restart_is_replaced_by_a_new_generation_with_the_subscription_restored() throws Exception {
        try (WebSocketService ws = WebSocketService.connect(settings(server.uri()).build())) {
            Subscription prices = ws.subscription("prices");
            assertThat(Probes.eventually(T, () -> server.subscribedSessions() == 1)).isTrue();
            server.publish("price 1");
            assertThat(prices.poll(T)).contains("price 1");

            server.restart();

            assertThat(Probes.eventually(T, () -> ws.generation() == 2 && server.subscribedSessions() == 1)).isTrue();
            server.publish("price 2");
            assertThat(prices.poll(T)).contains("price 2");
            assertThat(ws.subscription("prices")).isSameAs(prices);
            WebSocketStats stats = ws.stats();
            assertThat(stats.reconnects()).isEqualTo(1);
            assertThat(stats.disconnects()).isEqualTo(1);
            assertThat(stats.lastDisconnect()).hasValueSatisfying(why -> assertThat(why).startsWith("generation 1: "));
            assertThat(stats.subscription("prices").orElseThrow().restored()).isEqualTo(1);
            assertThat(server.subscribes.get()).isEqualTo(2);   // one per connection: the first, and the restored one
            assertThat(ws.request("{\"op\":\"echo\"}", T)).contains("\"id\":\"sup-1\"");
        }
    }

    @Test
    void sends_while_reconnecting_wait_within_their_timeout_and_go_out_after_the_restored_subscription() throws Exception {
        try (WebSocketService ws = WebSocketService.connect(settings(server.uri()).build())) {
            server.stop();
            assertThat(Probes.eventually(T, () -> ws.state() == WebSocketService.ConnectionState.RECONNECTING)).isTrue();

            assertThatThrownBy(() -> ws.send("{\"op\":\"short\"}", Duration.ofMillis(200)))
                    .isInstanceOf(WebSocketException.Unavailable.class)
                    .hasMessageContaining("is reconnecting (attempt")
                    .hasMessageContaining("generation 1")
                    .hasMessageContaining("the message was not sent within PT0.2S");
            assertThatThrownBy(ws::checkHealth).isInstanceOf(WebSocketException.Unavailable.class)
                    .hasMessageContaining("reconnecting");
            CompletableFuture<Void> waiting = ws.sendAsync("{\"op\":\"late\"}", T);
            CompletableFuture<String> reply = ws.requestAsync("{\"op\":\"echo\",\"late\":true}", T);
            assertThat(waiting).isNotDone();

            server.restart();

            waiting.get(10, TimeUnit.SECONDS);
            assertThat(reply.get(10, TimeUnit.SECONDS)).contains("\"late\":true");
            assertThat(Probes.eventually(T, () -> server.received.contains("{\"op\":\"late\"}"))).isTrue();
            // on the new connection, the restored subscription went out before the messages that waited
            assertThat(server.received.lastIndexOf(SUBSCRIBE)).isEqualTo(1)
                    .isLessThan(server.received.indexOf("{\"op\":\"late\"}"));
            assertThat(server.received).doesNotContain("{\"op\":\"short\"}");
            assertThat(ws.stats().connectFailures()).isPositive();
        }
    }

    @Test
    void a_request_whose_connection_is_lost_fails_at_once_instead_of_at_its_timeout() throws Exception {
        try (WebSocketService ws = WebSocketService.connect(settings(server.uri()).build())) {
            CompletableFuture<String> silent = ws.requestAsync("{\"op\":\"silent\"}", Duration.ofSeconds(60));
            assertThat(Probes.eventually(T, () -> server.received.contains("{\"id\":\"sup-1\",\"op\":\"silent\"}"))).isTrue();

            server.stop();

            assertThatThrownBy(() -> silent.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(WebSocketException.class)
                    .hasMessageContaining("connection generation 1 of websocket 'sup'")
                    .hasMessageContaining("was lost before the reply");
            assertThat(ws.stats().repliesLost()).isEqualTo(1);
        }
    }

    @Test
    void a_stalled_network_misses_a_pong_and_the_connection_is_replaced_once_it_flows_again() throws Exception {
        try (TcpProxy proxy = new TcpProxy(server.port());
             WebSocketService ws = WebSocketService.connect(settings(proxy.uri())
                     .ping(Duration.ofMillis(100), Duration.ofMillis(300)).build())) {
            Subscription prices = ws.subscription("prices");
            assertThat(Probes.eventually(T, () -> ws.stats().pongs() >= 1)).isTrue();

            proxy.stall();

            assertThat(Probes.eventually(T, () -> ws.stats().missedPongs() >= 1)).isTrue();
            assertThat(Probes.eventually(T, () -> ws.state() == WebSocketService.ConnectionState.RECONNECTING)).isTrue();
            assertThat(ws.stats().lastDisconnect()).hasValueSatisfying(why -> assertThat(why).contains("no pong within PT0.3S"));

            proxy.resume();

            assertThat(Probes.eventually(T, () -> ws.state() == WebSocketService.ConnectionState.CONNECTED
                    && ws.generation() >= 2 && server.subscribedSessions() >= 1)).isTrue();
            server.publish("price after stall");
            assertThat(prices.poll(T)).contains("price after stall");
        }
    }

    @Test
    void a_close_frame_from_the_server_is_reported_with_its_code_and_reason_and_the_connection_replaced() throws Exception {
        try (WebSocketService ws = WebSocketService.connect(settings(server.uri()).build())) {
            assertThat(Probes.eventually(T, () -> server.openSessions() == 1)).isTrue();

            server.closeAll(1001, "going away\r\nfor maintenance");

            assertThat(Probes.eventually(T, () -> ws.generation() == 2
                    && ws.state() == WebSocketService.ConnectionState.CONNECTED)).isTrue();
            assertThat(ws.stats().lastDisconnect()).contains(
                    "generation 1: the server closed the connection (1001 'going away??for maintenance')");
        }
    }

    @RepeatedTest(5)
    void a_stop_racing_reconnect_attempts_ends_them_and_leaves_no_thread() throws Exception {
        WebSocketService ws = WebSocketService.connect(settings(server.uri()).name("race")
                .backoff(new ReconnectBackoff(Duration.ZERO, Duration.ofMillis(5), 2.0)).build());
        String prefix = ws.threadNamePrefix();
        server.stop();
        assertThat(Probes.eventually(T, () -> ws.stats().connectFailures() >= 2)).isTrue();
        CompletableFuture<Void> waiting = ws.sendAsync("{\"op\":\"never\"}", T);

        ws.close();

        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(WebSocketException.Unavailable.class).hasMessageContaining("is stopped");
        assertThat(ws.state()).isEqualTo(WebSocketService.ConnectionState.CLOSED);
        assertThat(ws.closeOutcome()).isEqualTo("no connection was open");
        // no timer thread left means no reconnect attempt can follow
        assertThat(Probes.eventually(T, () -> Leaks.threadsNamed(prefix) == 0)).isTrue();
    }

    @Test
    void a_cut_connection_is_replaced_by_a_new_generation() throws Exception {
        try (TcpProxy proxy = new TcpProxy(server.port());
             WebSocketService ws = WebSocketService.connect(settings(proxy.uri()).build())) {
            proxy.cut();

            assertThat(Probes.eventually(T, () -> ws.generation() == 2
                    && ws.state() == WebSocketService.ConnectionState.CONNECTED)).isTrue();
            assertThat(ws.stats().lastDisconnect()).hasValueSatisfying(why -> assertThat(why).contains("generation 1"));
            assertThat(ws.request("{\"op\":\"echo\"}", T)).contains("sup-1");
        }
    }

    @Test
    void a_stop_whose_close_frame_is_never_answered_aborts_after_the_close_timeout_and_leaks_nothing() throws Exception {
        try (TcpProxy proxy = new TcpProxy(server.port())) {
            WebSocketService ws = WebSocketService.connect(settings(proxy.uri())
                    .closeTimeout(Duration.ofMillis(300)).build());
            String prefix = ws.threadNamePrefix();
            proxy.stall();

            ws.close();

            assertThat(ws.closeOutcome()).isEqualTo("no close frame from the server within PT0.3S; connection aborted");
            assertThat(Probes.eventually(T, () -> Leaks.threadsNamed(prefix) == 0)).isTrue();
        }
    }
}
