package dev.flowgentic4j.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The API client's settings, credentials and requests check their input at once; secrets never print. */
class ApiClientSettingsTest {
    private static final URI BASE = URI.create("http://127.0.0.1:8080");

    @Test
    void bad_settings_fail_naming_the_field() {
        assertThatThrownBy(() -> ApiClientSettings.builder(URI.create("ftp://host/x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseUrl must be an absolute http");
        assertThatThrownBy(() -> ApiClientSettings.builder(URI.create("http://user:pw@host/")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not carry user info");
        assertThatThrownBy(() -> ApiClientSettings.builder(BASE).callTimeout(Duration.ZERO))
                .hasMessageContaining("callTimeout must be positive");
        assertThatThrownBy(() -> ApiClientSettings.builder(BASE).renewalMargin(Duration.ofSeconds(-1)))
                .hasMessageContaining("renewalMargin must not be negative");
        assertThatThrownBy(() -> ApiClientSettings.builder(BASE).maxRetries(-1)).hasMessageContaining("maxRetries");
        assertThatThrownBy(() -> ApiClientSettings.builder(BASE).header("Authorization", "Bearer x"))
                .hasMessageContaining("header Authorization is set by the client itself");
        assertThatThrownBy(() -> ApiClientSettings.builder(BASE).header("X-A", "a\r\nX-B: b"))
                .hasMessageContaining("line break");
        assertThatThrownBy(() -> ApiClientSettings.builder(BASE).probePath("health"))
                .hasMessageContaining("probePath must be a path starting with one '/'");
        assertThatThrownBy(() -> ApiClientSettings.builder(BASE).header("X-Api-Key", "v")
                .credentials(ApiCredentials.apiKey("x-api-key", ApiSecret.of("k123"))).build())
                .hasMessageContaining("both a fixed header and the API key's");
        assertThatThrownBy(() -> ApiCredentials.clientCredentials(BASE, "id", ApiSecret.of("s123"), Set.of("a b")))
                .hasMessageContaining("scope must be printable ASCII");
        assertThatThrownBy(() -> ApiRequest.get("/x").withHeader("Cookie", "a=b")).hasMessageContaining("Cookie");
        assertThatThrownBy(() -> new ApiRequest("TRACE", "/x", Map.of(), java.util.Optional.empty(), "text/plain",
                java.util.Optional.empty())).hasMessageContaining("method must be one of");
        assertThatThrownBy(() -> ApiSecret.fromEnv("FLOWGENTIC4J_SURELY_UNSET_VARIABLE"))
                .hasMessage("environment variable FLOWGENTIC4J_SURELY_UNSET_VARIABLE is not set");
    }

    @Test
    void secrets_print_as_stars() {
        ApiSecret secret = ApiSecret.of("hunter2-secret");
        ApiClientSettings settings = ApiClientSettings.builder(BASE)
                .credentials(ApiCredentials.clientCredentials(BASE.resolve("/token"), "desk", secret, Set.of("a")))
                .login(ApiLogin.jsonSession("/login", ApiSecret.of("{\"password\":\"pw-secret\"}"), "sid", "X-Sid"))
                .build();
        assertThat(secret).hasToString("***");
        assertThat(settings.toString()).contains("desk").doesNotContain("hunter2").doesNotContain("pw-secret");
        assertThat(ApiCredentials.bearer(secret).toString()).doesNotContain("hunter2");
        assertThat(ApiCredentials.apiKey("X-Key", secret).toString()).doesNotContain("hunter2");
        assertThat(settings.login().orElseThrow().toString()).doesNotContain("pw-secret");
    }

    @Test
    void retry_after_reads_seconds_and_http_dates() {
        assertThat(ApiClientService.retryAfter(Map.of("retry-after", List.of("7")))).contains(Duration.ofSeconds(7));
        assertThat(ApiClientService.retryAfter(Map.of("Retry-After", List.of("99999999999999"))))
                .contains(Duration.ofHours(24));
        String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10));
        assertThat(ApiClientService.retryAfter(Map.of("Retry-After", List.of(inTenSeconds))).orElseThrow())
                .isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
        assertThat(ApiClientService.retryAfter(Map.of("Retry-After", List.of("soon")))).isEmpty();
        assertThat(ApiClientService.retryAfter(Map.of())).isEmpty();
    }

    @Test
    void the_json_reader_takes_top_level_scalars_and_refuses_malformed_input() {
        assertThat(ApiJson.object("{\"access_token\":\"a\\\"b\\u0041\",\"expires_in\":299,\"nested\":{\"x\":[1,{\"y\":2}]},"
                + "\"ok\":true,\"none\":null}"))
                .containsEntry("access_token", "a\"bA").containsEntry("expires_in", "299").containsEntry("ok", "true")
                .doesNotContainKey("nested").doesNotContainKey("none");
        assertThat(ApiJson.object("{\"a\":")).isEmpty();
        assertThat(ApiJson.object("[1,2]")).isEmpty();
        assertThat(ApiJson.object("{\"a\":\"\\uZZZZ\"}")).isEmpty();
        assertThat(ApiJson.object("{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}")).isEmpty();
        assertThat(ApiJson.object("<html>")).isEmpty();
    }

    @Test
    void messages_escape_control_characters_and_drop_queries() {
        assertThat(ApiClientService.escape("a\nb\u0007c", 100)).isEqualTo("a\\nb\\u0007c");
        assertThat(ApiClientService.escape("x".repeat(50), 10)).isEqualTo("x".repeat(10) + "...");
        assertThat(ApiClientService.withoutSecrets(URI.create("https://h:8443/p/q?key=secret#frag")))
                .isEqualTo("https://h:8443/p/q");
    }
}
