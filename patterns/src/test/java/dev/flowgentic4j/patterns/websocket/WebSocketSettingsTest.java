package dev.flowgentic4j.patterns.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The WebSocket pattern's settings, backoff and correlation: validation, secrets hidden, ids found only at the top level. */
class WebSocketSettingsTest {

    @Test
    void settings_show_header_names_and_a_url_without_its_query_never_the_secrets() {
        WebSocketSettings s = WebSocketSettings.builder(URI.create("wss://user:pw@feed.example.com:8443/v1?token=abc123"))
                .header("Authorization", "Bearer top-secret").build();

        assertThat(s.displayUri()).isEqualTo("wss://feed.example.com:8443/v1?***");
        assertThat(s.toString()).contains("[Authorization]").contains("values hidden")
                .doesNotContain("top-secret").doesNotContain("abc123").doesNotContain("pw");
    }

    @Test
    void bad_settings_fail_at_once_naming_the_field() {
        assertThatThrownBy(() -> WebSocketSettings.builder(URI.create("http://x/ws")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws:// or wss://");
        WebSocketSettings.Builder b = WebSocketSettings.builder(URI.create("ws://127.0.0.1:1/ws"));
        assertThatThrownBy(() -> b.header("X-Key", "a\r\nInjected: 1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X-Key").hasMessageNotContaining("Injected");
        assertThatThrownBy(() -> b.ping(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pingInterval");
        assertThatThrownBy(() -> b.maxMessageSize(10)).hasMessageContaining("maxMessageSize");
        b.subscription(SubscriptionSpec.all("a")).subscription(SubscriptionSpec.all("a"));
        assertThatThrownBy(b::build).hasMessageContaining("two subscriptions are named 'a'");
        assertThatThrownBy(() -> SubscriptionSpec.all("x").capacity(0)).hasMessageContaining("capacity of subscription 'x'");
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2))
                .hasMessageContaining("max must be >= initial");
    }

    @Test
    void backoff_grows_by_its_multiplier_up_to_its_max() {
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(1000), 3.0);

        assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(300));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofMillis(900));
        assertThat(backoff.delay(4)).isEqualTo(Duration.ofMillis(1000));
        assertThat(backoff.delay(400)).isEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void json_correlation_attaches_the_id_and_reads_it_only_at_the_top_level() {
        Correlation c = Correlation.defaults();

        assertThat(c.attach("r-1", "{\"op\":\"quote\"}")).isEqualTo("{\"id\":\"r-1\",\"op\":\"quote\"}");
        assertThat(c.attach("r-2", " { } ")).isEqualTo(" {\"id\":\"r-2\" } ");
        assertThat(c.idOf("{\"op\":\"x\",\"id\":\"r-1\",\"v\":1}")).contains("r-1");
        assertThat(c.idOf("{ \"id\" : 42 }")).contains("42");
        assertThat(c.idOf("{\"data\":{\"id\":\"nested\"},\"x\":\"id\"}")).isEmpty();
        assertThat(c.idOf("{\"note\":\"\\\"id\\\":\\\"fake\\\"\",\"id\":\"real\"}")).contains("real");
        assertThat(c.idOf("[{\"id\":\"in-array\"}]")).isEmpty();
        assertThat(c.idOf("not json {\"id\":\"x\"}")).isEmpty();
        assertThat(c.idOf("{\"id\":\"unterminated")).isEmpty();
        assertThat(Correlation.jsonField("ref").idOf("{\"id\":\"a\",\"ref\":\"b\"}")).contains("b");
        assertThatThrownBy(() -> c.attach("r-3", "[1,2]")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JSON object");
    }
}
