package dev.flowgentic4j.patterns;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The API client's answers to faults, on WireMock (127.0.0.1, one server for the class): 429 with
 * {@code Retry-After}, 503, a slow answer, a 401 on a token that has not expired, oversized and
 * secret-echoing answers, a token endpoint that fails or goes away.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiClientFaultsTest {
    private static final String SECRET = "fs-" + UUID.randomUUID();
    private static final String TOKEN_A = "ta-" + UUID.randomUUID();
    private static final String TOKEN_B = "tb-" + UUID.randomUUID();
    private static final String API_KEY = "ak-" + UUID.randomUUID();
    private static final List<String> written = new CopyOnWriteArrayList<>();
    private static WireMockServer wm;

    @BeforeAll
    static void startWireMock() {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
    }

    @AfterAll
    static void stopWireMock() {
        wm.stop();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
    }

    private static URI base() {
        return URI.create("http://127.0.0.1:" + wm.port());
    }

    /** The token endpoint answers TOKEN_A, then TOKEN_B for every later request; each lives an hour. */
    private static void tokenEndpointIssuesAThenB() {
        wm.stubFor(post("/oauth2/token").inScenario("tokens").whenScenarioStateIs(STARTED).willSetStateTo("second")
                .willReturn(okJson(token(TOKEN_A))));
        wm.stubFor(post("/oauth2/token").inScenario("tokens").whenScenarioStateIs("second")
                .willReturn(okJson(token(TOKEN_B))));
    }

    private static String token(String value) {
        return "{\"access_token\":\"" + value + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"scope\":\"quotes\"}";
    }

    private static ApiClientSettings.Builder oauth() {
        return ApiClientSettings.builder(base()).name("quotes")
                .credentials(ApiCredentials.clientCredentials(base().resolve("/oauth2/token"), "quotes-client",
                        ApiSecret.of(SECRET), Set.of("quotes")))
                .callTimeout(Duration.ofSeconds(5))
                .retryBackoff(Duration.ofMillis(50));
    }

    private static ApiClientService connect(ApiClientSettings settings) {
        ApiClientService client = ApiClientService.connect(settings);
        written.add(client.toString());
        return client;
    }

    private static ApiCallException failure(Runnable call) {
        try {
            call.run();
        } catch (ApiCallException e) {
            written.add(e.toString());
            return e;
        }
        throw new AssertionError("expected an ApiCallException");
    }

    @Test
    @Order(1)
    void a_429_with_retry_after_is_retried_after_the_wait() {
        tokenEndpointIssuesAThenB();
        wm.stubFor(get("/quotes").inScenario("busy").whenScenarioStateIs(STARTED).willSetStateTo("free")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));
        wm.stubFor(get("/quotes").inScenario("busy").whenScenarioStateIs("free").willReturn(okJson("{\"ACME\":12.5}")));
        try (ApiClientService api = connect(oauth().build())) {
            ApiResponse r = api.get("/quotes");

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.jsonField("ACME")).contains("12.5");
            assertThat(r.exchanges()).isEqualTo(2);
            assertThat(api.stats().retries()).isEqualTo(1);
            wm.verify(2, getRequestedFor(urlEqualTo("/quotes")));
        }
    }

    @Test
    @Order(2)
    void a_retry_after_beyond_the_deadline_fails_at_once_naming_endpoint_and_status() {
        tokenEndpointIssuesAThenB();
        wm.stubFor(get(urlPathEqualTo("/quotes")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")));
        try (ApiClientService api = connect(oauth().callTimeout(Duration.ofSeconds(2)).build())) {
            ApiCallException e = failure(() -> api.get("/quotes?symbol=ACME&key=" + API_KEY));

            assertThat(e.status()).isEqualTo(429);
            assertThat(e.endpoint()).isEqualTo("GET " + base() + "/quotes");
            assertThat(e.getMessage()).contains("GET " + base() + "/quotes answered HTTP 429")
                    .contains("retry after 30000 ms").doesNotContain(API_KEY);
            wm.verify(1, getRequestedFor(urlPathEqualTo("/quotes")));
        }
    }

    @Test
    @Order(3)
    void a_503_is_retried_with_backoff_and_after_max_retries_fails_with_its_status() {
        tokenEndpointIssuesAThenB();
        wm.stubFor(get("/quotes").inScenario("down").whenScenarioStateIs(STARTED).willSetStateTo("still")
                .willReturn(aResponse().withStatus(503)));
        wm.stubFor(get("/quotes").inScenario("down").whenScenarioStateIs("still").willSetStateTo("up")
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "0")));
        wm.stubFor(get("/quotes").inScenario("down").whenScenarioStateIs("up").willReturn(okJson("{}")));
        wm.stubFor(get("/orders").willReturn(aResponse().withStatus(503).withBody("maintenance")));
        try (ApiClientService api = connect(oauth().maxRetries(2).build())) {
            assertThat(api.get("/quotes").exchanges()).isEqualTo(3);

            ApiCallException e = failure(() -> api.get("/orders"));
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.getMessage()).isEqualTo("GET " + base() + "/orders answered HTTP 503: maintenance");
            wm.verify(3, getRequestedFor(urlEqualTo("/orders")));
        }
    }

    @Test
    @Order(4)
    void a_slow_answer_fails_the_call_at_its_deadline() {
        tokenEndpointIssuesAThenB();
        wm.stubFor(get("/slow").willReturn(okJson("{}").withFixedDelay(5_000)));
        try (ApiClientService api = connect(oauth().build())) {
            ApiCallException e = failure(() -> api.send(ApiRequest.get("/slow").withTimeout(Duration.ofMillis(300))));

            assertThat(e.status()).isZero();
            assertThat(e.getMessage()).contains("GET " + base() + "/slow gave no answer within the call's deadline");
        }
    }

    @Test
    @Order(5)
    void a_401_on_an_unexpired_token_gets_one_renewal_and_one_retry_with_the_new_token() {
        tokenEndpointIssuesAThenB();
        wm.stubFor(get("/account").withHeader("Authorization", equalTo("Bearer " + TOKEN_A))
                .willReturn(aResponse().withStatus(401)));
        wm.stubFor(get("/account").withHeader("Authorization", equalTo("Bearer " + TOKEN_B))
                .willReturn(okJson("{\"cash\":1000}")));
        try (ApiClientService api = connect(oauth().build())) {
            ApiResponse r = api.get("/account");

            assertThat(r.jsonField("cash")).contains("1000");
            assertThat(r.exchanges()).isEqualTo(2);
            assertThat(api.stats().renewalsAfter401()).isEqualTo(1);
            wm.verify(2, postRequestedFor(urlEqualTo("/oauth2/token")));
            assertThat(api.get("/account").exchanges()).as("the new token is kept").isEqualTo(1);
            wm.verify(2, postRequestedFor(urlEqualTo("/oauth2/token")));
        }
    }

    @Test
    @Order(6)
    void a_second_401_is_an_error_without_a_further_renewal() {
        tokenEndpointIssuesAThenB();
        wm.stubFor(get("/account").willReturn(aResponse().withStatus(401).withBody("{\"error\":\"invalid_token\"}")));
        try (ApiClientService api = connect(oauth().build())) {
            ApiCallException e = failure(() -> api.get("/account"));

            assertThat(e.status()).isEqualTo(401);
            assertThat(e.getMessage()).contains("GET " + base() + "/account answered HTTP 401 after one token renewal");
            wm.verify(2, postRequestedFor(urlEqualTo("/oauth2/token")));
            wm.verify(2, getRequestedFor(urlEqualTo("/account")));
        }
    }

    @Test
    @Order(7)
    void secrets_echoed_by_a_server_are_removed_from_the_error() {
        tokenEndpointIssuesAThenB();
        wm.stubFor(get("/echo").willReturn(aResponse().withStatus(500)
                .withBody("bad request with token " + TOKEN_A + " and secret " + SECRET)));
        try (ApiClientService api = connect(oauth().build())) {
            ApiCallException e = failure(() -> api.get("/echo"));

            assertThat(e.getMessage()).contains("answered HTTP 500").contains("token ***").contains("secret ***")
                    .doesNotContain(TOKEN_A).doesNotContain(SECRET);
        }
    }

    @Test
    @Order(8)
    void an_api_key_is_sent_in_its_header_and_a_refused_one_is_an_authentication_error() {
        wm.stubFor(get("/prices").withHeader("X-Api-Key", equalTo(API_KEY)).willReturn(okJson("{\"ok\":true}")));
        wm.stubFor(get("/prices").withHeader("X-Api-Key", equalTo("other-" + API_KEY)).willReturn(aResponse().withStatus(401)));
        try (ApiClientService api = connect(ApiClientSettings.builder(base())
                .credentials(ApiCredentials.apiKey("X-Api-Key", ApiSecret.of(API_KEY))).build())) {
            assertThat(api.get("/prices").jsonField("ok")).contains("true");
        }
        try (ApiClientService api = connect(ApiClientSettings.builder(base())
                .credentials(ApiCredentials.apiKey("X-Api-Key", ApiSecret.of("other-" + API_KEY))).build())) {
            ApiCallException e = failure(() -> api.get("/prices"));
            assertThat(e).isInstanceOf(ApiAuthenticationException.class);
            assertThat(e.getMessage()).contains("answered HTTP 401 (credential refused)").doesNotContain(API_KEY);
        }
    }

    @Test
    @Order(9)
    void a_static_bearer_token_is_sent_as_is() {
        wm.stubFor(get("/me").withHeader("Authorization", equalTo("Bearer " + TOKEN_A)).willReturn(okJson("{\"id\":7}")));
        try (ApiClientService api = connect(ApiClientSettings.builder(base())
                .credentials(ApiCredentials.bearer(ApiSecret.of(TOKEN_A))).build())) {
            assertThat(api.get("/me").jsonField("id")).contains("7");
            assertThat(api.tokenRequests()).isZero();
        }
    }

    @Test
    @Order(10)
    void an_answer_larger_than_the_limit_fails_the_call() {
        tokenEndpointIssuesAThenB();
        wm.stubFor(get("/big").willReturn(okJson("\"" + "x".repeat(5000) + "\"")));
        wm.stubFor(get("/small").willReturn(okJson("{}")));
        try (ApiClientService api = connect(oauth().maxResponseBytes(1024).build())) {
            ApiCallException e = failure(() -> api.get("/big"));
            assertThat(e.getMessage()).contains("answered more than 1024 bytes");
            assertThat(api.get("/small").status()).as("the client still serves").isEqualTo(200);
        }
    }

    @Test
    @Order(11)
    void a_token_endpoint_error_names_its_oauth_code_and_a_missing_token_is_refused() {
        wm.stubFor(post("/oauth2/token").willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":\"invalid_scope\",\"error_description\":\"scope quotes is not allowed\"}")));
        ApiCallException e = failure(() -> connect(oauth().build()));
        assertThat(e).isInstanceOf(ApiAuthenticationException.class);
        assertThat(((ApiAuthenticationException) e).errorCode()).contains("invalid_scope");
        assertThat(e.getMessage()).isEqualTo("token endpoint POST " + base() + "/oauth2/token refused the client "
                + "credentials of client 'quotes-client': HTTP 400, OAuth error invalid_scope (scope quotes is not allowed)");

        wm.stubFor(post("/oauth2/token").willReturn(okJson("{\"token_type\":\"Bearer\"}")));
        assertThat(failure(() -> connect(oauth().build())).getMessage()).contains("answered 200 without an access_token");
    }

    @Test
    @Order(12)
    void health_fails_after_a_failed_renewal_and_when_the_token_endpoint_is_unreachable() throws Exception {
        WireMockServer auth = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        auth.start();
        try {
            auth.stubFor(post("/oauth2/token").willReturn(okJson(
                    "{\"access_token\":\"" + TOKEN_A + "\",\"token_type\":\"Bearer\",\"expires_in\":1}")));
            wm.stubFor(get("/quotes").willReturn(okJson("{}")));
            AtomicTicker ticker = new AtomicTicker();
            URI tokenUri = URI.create("http://127.0.0.1:" + auth.port() + "/oauth2/token");
            try (ApiClientService api = connect(oauth().ticker(ticker)
                    .credentials(ApiCredentials.clientCredentials(tokenUri, "quotes-client", ApiSecret.of(SECRET), Set.of()))
                    .build())) {
                api.checkHealth();

                auth.stubFor(post("/oauth2/token").willReturn(aResponse().withStatus(500).withBody("down")));
                ticker.now += Duration.ofSeconds(5).toNanos();           // expired: the next call must renew
                ApiCallException e = failure(() -> api.get("/quotes"));
                assertThat(e.getMessage()).contains("POST " + tokenUri);
                assertThatThrownBy(api::checkHealth).isInstanceOf(ApiCallException.class)
                        .hasMessageContaining("the last token renewal failed");

                auth.stubFor(post("/oauth2/token").willReturn(okJson(
                        "{\"access_token\":\"" + TOKEN_B + "\",\"token_type\":\"Bearer\",\"expires_in\":60}")));
                assertThat(api.get("/quotes").status()).isEqualTo(200);
                api.checkHealth();

                auth.stop();
                assertThatThrownBy(api::checkHealth).isInstanceOf(IOException.class)
                        .hasMessageContaining("token endpoint " + tokenUri + " is unreachable");
            }
        } finally {
            auth.stop();
        }
    }

    @Test
    @Order(13)
    void inside_the_margin_one_caller_renews_while_the_others_keep_the_still_valid_token() throws Exception {
        wm.stubFor(post("/oauth2/token").inScenario("slow").whenScenarioStateIs(STARTED).willSetStateTo("slow")
                .willReturn(okJson(token(TOKEN_A))));
        wm.stubFor(post("/oauth2/token").inScenario("slow").whenScenarioStateIs("slow")
                .willReturn(okJson(token(TOKEN_B)).withFixedDelay(3_000)));
        wm.stubFor(get("/quotes").willReturn(okJson("{}")));
        AtomicTicker ticker = new AtomicTicker();
        try (ApiClientService api = connect(oauth().ticker(ticker).renewalMargin(Duration.ofMinutes(10)).build())) {
            ticker.now += Duration.ofMinutes(55).toNanos();     // 5 minutes left: inside the margin, not expired
            var renewer = java.util.concurrent.CompletableFuture.supplyAsync(() -> api.get("/quotes"));
            wm.verify(0, getRequestedFor(urlEqualTo("/quotes")));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> wm.findAll(postRequestedFor(urlEqualTo("/oauth2/token"))).size() == 2);

            // the renewal takes 3 s; these calls may take 1 s each, so they cannot have waited for it
            for (int i = 0; i < 5; i++) {
                assertThat(api.send(ApiRequest.get("/quotes").withTimeout(Duration.ofSeconds(1))).status()).isEqualTo(200);
            }
            wm.verify(5, getRequestedFor(urlEqualTo("/quotes")).withHeader("Authorization", equalTo("Bearer " + TOKEN_A)));

            assertThat(renewer.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(api.tokenRequests()).isEqualTo(2);
            wm.verify(1, getRequestedFor(urlEqualTo("/quotes")).withHeader("Authorization", equalTo("Bearer " + TOKEN_B)));
        }
    }

    @Test
    @Order(14)
    void a_failed_renewal_ahead_of_expiry_keeps_the_old_token_serving_and_health_reports_it() throws Exception {
        tokenEndpointIssuesAThenB();
        wm.stubFor(get("/quotes").willReturn(okJson("{}")));
        AtomicTicker ticker = new AtomicTicker();
        try (ApiClientService api = connect(oauth().ticker(ticker).renewalMargin(Duration.ofMinutes(10)).build())) {
            wm.stubFor(post("/oauth2/token").willReturn(aResponse().withStatus(502).withBody("bad gateway")));
            ticker.now += Duration.ofMinutes(55).toNanos();

            assertThat(api.get("/quotes").status()).isEqualTo(200);
            wm.verify(1, getRequestedFor(urlEqualTo("/quotes")).withHeader("Authorization", equalTo("Bearer " + TOKEN_A)));
            assertThatThrownBy(api::checkHealth).hasMessageContaining("the last token renewal failed")
                    .hasMessageContaining("HTTP 502");

            wm.stubFor(post("/oauth2/token").willReturn(okJson(token(TOKEN_B))));
            assertThat(api.get("/quotes").status()).isEqualTo(200);
            api.checkHealth();
            assertThat(api.tokenRequests()).isEqualTo(3);
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void nothing_the_run_wrote_holds_a_secret() throws Exception {
        List<String> everything = new ArrayList<>(written);
        Path log = Path.of("target", "tests.log");
        if (Files.exists(log)) {
            everything.add(Files.readString(log));
        }
        assertThat(written).hasSizeGreaterThan(10);
        for (String text : everything) {
            for (String secret : List.of(SECRET, TOKEN_A, TOKEN_B, API_KEY)) {
                assertThat(text).as("a secret leaked").doesNotContain(secret);
            }
        }
    }

    private static final class AtomicTicker implements dev.flowgentic4j.workflows.Ticker {
        volatile long now;

        @Override
        public long read() {
            return now;
        }
    }
}
