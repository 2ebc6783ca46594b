package dev.flowgentic4j.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.Ticker;
import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The authenticated API client against real servers: Spring Authorization Server issuing 2-second
 * JWTs, and a protected API (JDK HTTP server) verifying them with nimbus-jose-jwt. Both are started
 * once for the class. The last test greps everything the run wrote for the secrets.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiClientServiceTest {
    private static final Duration READY = Duration.ofSeconds(20);
    private static OAuthServers servers;
    private static FlowEngine engine;
    private static EventRecorder events;
    private static dev.flowgentic4j.workflows.ServiceTask<ApiClientSettings, ApiClientService> apiClients;
    /** Everything the tests saw the client write: exception messages, toString()s, stats. */
    private static final List<String> written = new CopyOnWriteArrayList<>();
    private static final List<String> wrongSecrets = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        servers = new OAuthServers();
        engine = FlowEngine.create();
        events = engine.telemetry().record();
        apiClients = engine.serviceTask(PatternServices.apiClient());
    }

    @AfterAll
    static void stopServers() {
        if (engine != null) {
            engine.close();
        }
        if (servers != null) {
            servers.close();
        }
    }

    /** A clock that moves only when the test says: token expiry without waiting. */
    private static final class JumpingTicker implements Ticker {
        final AtomicLong offset = new AtomicLong();

        @Override
        public long read() {
            return offset.get();
        }

        void jump(Duration d) {
            offset.addAndGet(d.toNanos());
        }
    }

    private static ApiClientSettings.Builder settings() {
        return ApiClientSettings.builder(servers.apiUri())
                .name("orders")
                .credentials(servers.credentials("orders.read"))
                .callTimeout(Duration.ofSeconds(10));
    }

    private static ApiClientService connect(ApiClientSettings settings) {
        ApiClientService client = ApiClientService.connect(settings);
        written.add(client.toString());
        written.add(settings.toString());
        return client;
    }

    private static <T extends Throwable> T recorded(T failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            written.add(String.valueOf(t));
        }
        return failure;
    }

    @Test
    @Order(1)
    void the_first_token_is_fetched_once_and_reused_for_every_call() {
        try (ApiClientService api = connect(settings().credentials(servers.longLivedCredentials()).build())) {
            int distinctBefore = servers.distinctTokensSeen();
            for (int i = 0; i < 20; i++) {
                ApiResponse r = api.get("/orders");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).contains("ACME");
                assertThat(r.exchanges()).isEqualTo(1);
            }
            assertThat(api.tokenRequests()).isEqualTo(1);
            assertThat(servers.distinctTokensSeen() - distinctBefore).isEqualTo(1);
            assertThat(api.stats().calls()).isEqualTo(20);
            written.add(api.stats().toString());
        }
    }

    @RepeatedTest(3)
    @Order(2)
    void callers_that_find_the_token_expired_share_one_token_request() throws Exception {
        JumpingTicker ticker = new JumpingTicker();
        try (ApiClientService api = connect(settings().ticker(ticker).threads(4).build())) {
            assertThat(api.get("/orders").status()).isEqualTo(200);
            ticker.jump(OAuthServers.TOKEN_LIFETIME.plusSeconds(1));   // our clock: the token has expired

            List<Integer> statuses = concurrently(32, () -> api.get("/orders").status());

            assertThat(statuses).hasSize(32).containsOnly(200);
            assertThat(api.tokenRequests()).isEqualTo(2);
            assertThat(api.stats().renewalsAfter401()).isZero();
        }
    }

    @Test
    @Order(3)
    void the_token_is_renewed_a_margin_before_it_expires() {
        JumpingTicker ticker = new JumpingTicker();
        Duration margin = Duration.ofMillis(600);
        try (ApiClientService api = connect(settings().ticker(ticker).renewalMargin(margin).build())) {
            // Spring announces expires_in in whole seconds, rounded down: 1 s for a 2 s token
            Duration lifetime = api.tokenLifetime().orElseThrow();
            assertThat(lifetime).isBetween(Duration.ofSeconds(1), OAuthServers.TOKEN_LIFETIME);
            Duration used = margin.compareTo(lifetime.dividedBy(2)) < 0 ? margin : lifetime.dividedBy(2);
            Duration renewAt = lifetime.minus(used);
            ticker.jump(renewAt.minusMillis(200));
            api.get("/orders");
            assertThat(api.tokenRequests()).as("still before the margin").isEqualTo(1);

            ticker.jump(Duration.ofMillis(300));
            api.get("/orders");
            assertThat(api.tokenRequests()).as("inside the margin, not yet expired").isEqualTo(2);
            assertThat(api.hasToken()).isTrue();
        }
    }

    @Test
    @Order(4)
    void on_the_real_clock_the_token_is_renewed_before_the_server_refuses_it() {
        try (ApiClientService api = connect(settings().renewalMargin(Duration.ofMillis(500)).build())) {
            long refusedBefore = servers.refused.get();
            await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(api.get("/orders").status()).isEqualTo(200);
                return api.tokenRequests() >= 3;                 // two renewals: four seconds of 2 s tokens
            });
            assertThat(api.stats().renewalsAfter401()).isZero();
            assertThat(api.stats().failures()).isZero();
            assertThat(servers.refused.get()).isEqualTo(refusedBefore);
        }
    }

    @Test
    @Order(5)
    void a_401_on_an_unexpired_token_leads_to_one_renewal_and_one_retry() {
        try (ApiClientService api = connect(settings().credentials(servers.longLivedCredentials()).build())) {
            api.get("/orders");
            servers.revokeTokensSeen();

            ApiResponse r = api.get("/orders");

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.exchanges()).isEqualTo(2);
            assertThat(api.tokenRequests()).isEqualTo(2);
            assertThat(api.stats().renewalsAfter401()).isEqualTo(1);
        }
    }

    @RepeatedTest(3)
    @Order(6)
    void concurrent_callers_refused_the_same_token_share_one_renewal() throws Exception {
        try (ApiClientService api = connect(settings().credentials(servers.longLivedCredentials()).threads(4).build())) {
            api.get("/orders");
            servers.revokeTokensSeen();

            List<Integer> statuses = concurrently(16, () -> api.get("/orders").status());

            assertThat(statuses).containsOnly(200);
            assertThat(api.tokenRequests()).isEqualTo(2);
        }
    }

    @Test
    @Order(7)
    void a_refused_secret_fails_the_start_naming_the_token_endpoint_and_the_oauth_error_code() {
        String wrong = "wrong-" + UUID.randomUUID();
        wrongSecrets.add(wrong);
        ApiClientSettings bad = settings().credentials(ApiCredentials.clientCredentials(servers.tokenEndpoint(),
                OAuthServers.CLIENT_ID, ApiSecret.of(wrong), java.util.Set.of("orders.read"))).build();

        ServiceFuture<ApiClientService> handle = apiClients.start(bad);

        Throwable failure = recorded(catchThrowable(handle::join));
        ApiAuthenticationException refused = rootOf(failure, ApiAuthenticationException.class);
        assertThat(refused.getMessage())
                .contains("POST " + servers.tokenEndpoint())
                .contains("OAuth error invalid_client")
                .contains("HTTP 401")
                .doesNotContain(wrong);
        assertThat(refused.errorCode()).contains("invalid_client");
        assertThat(failure.getMessage()).contains("1 attempt");   // a refused credential is not retried
        assertThat(handle.state()).isEqualTo(ServiceState.FAILED);
    }

    @Test
    @Order(8)
    void a_scope_the_client_may_not_have_fails_with_invalid_scope() {
        ApiCallException e = recorded(catchApi(() -> connect(settings().credentials(servers.credentials("orders.admin")).build())));
        assertThat(e).isInstanceOf(ApiAuthenticationException.class);
        assertThat(((ApiAuthenticationException) e).errorCode()).contains("invalid_scope");
        assertThat(e.getMessage()).contains(servers.tokenEndpoint().toString()).contains("invalid_scope");
    }

    @Test
    @Order(9)
    void client_secret_post_authenticates_too() {
        try (ApiClientService api = connect(settings().credentials(servers.credentials("orders.read").withFormAuthentication()).build())) {
            assertThat(api.get("/orders").status()).isEqualTo(200);
        }
    }

    @Test
    @Order(10)
    void as_a_service_it_is_ready_healthy_keeps_its_session_and_drops_it_on_stop() throws Exception {
        ApiClientSettings withLogin = settings()
                .login(ApiLogin.jsonSession("/login", ApiSecret.of("{\"user\":\"desk\",\"password\":\""
                        + OAuthServers.LOGIN_PASSWORD + "\"}"), "sessionId", "X-Session-Id"))
                .probePath("/orders")
                .build();
        ServiceFuture<ApiClientService> handle = apiClients.start(withLogin);
        ApiClientService api = handle.awaitRunning(READY);

        for (int i = 0; i < 5; i++) {
            assertThat(handle.call(READY, a -> a.get("/session")).status()).isEqualTo(200);
        }
        assertThat(api.hasSession()).isTrue();
        assertThat(api.cookieNames()).containsExactly("DESK");
        assertThat(api.stats().logins()).isEqualTo(1);
        assertThat(api.tokenRequests()).isEqualTo(1);
        api.checkHealth();
        assertThat(handle.health().state()).isNotEqualTo(HealthStatus.State.UNHEALTHY);

        handle.cancel(true);

        await().atMost(READY).until(() -> handle.state() == ServiceState.TERMINATED);
        assertThat(api.isStopped()).isTrue();
        assertThat(api.hasSession()).isFalse();
        assertThat(api.cookieNames()).isEmpty();
        assertThat(api.hasToken()).isFalse();
        await("the client's threads ended").atMost(READY).until(() -> Thread.getAllStackTraces().keySet()
                .stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("api-client-orders-")));
        assertThatThrownBy(() -> api.get("/session")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'orders' is stopped");
    }

    @Test
    @Order(11)
    void a_refused_login_fails_the_start_naming_the_login_endpoint() {
        String wrong = "{\"user\":\"desk\",\"password\":\"nope-" + UUID.randomUUID() + "\"}";
        wrongSecrets.add(wrong);
        ApiCallException e = recorded(catchApi(() -> connect(settings()
                .login(ApiLogin.jsonSession("/login", ApiSecret.of(wrong), "sessionId", "X-Session-Id")).build())));
        assertThat(e.getMessage()).contains("login POST " + servers.apiUri() + "/login refused: HTTP 401");
        assertThat(e.status()).isEqualTo(401);
    }

    @Test
    @Order(12)
    void without_a_session_the_api_refuses_and_the_error_names_endpoint_and_status() {
        try (ApiClientService api = connect(settings().credentials(servers.longLivedCredentials()).build())) {
            ApiCallException e = recorded(catchApi(() -> api.get("/session")));
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.endpoint()).isEqualTo("GET " + servers.apiUri() + "/session");
            assertThat(e.getMessage()).contains("GET " + servers.apiUri() + "/session answered HTTP 401");
            assertThat(api.tokenRequests()).as("one renewal after the 401, no more").isEqualTo(2);
        }
    }

    @RepeatedTest(3)
    @Order(13)
    void an_expired_login_session_gets_one_new_login_shared_by_concurrent_callers() throws Exception {
        ApiClientSettings sessionOnly = ApiClientSettings.builder(servers.apiUri()).name("orders")
                .login(ApiLogin.jsonSession("/login", ApiSecret.of("{\"user\":\"desk\",\"password\":\""
                        + OAuthServers.LOGIN_PASSWORD + "\"}"), "sessionId", "X-Session-Id"))
                .threads(4)
                .build();
        try (ApiClientService api = connect(sessionOnly)) {
            assertThat(api.get("/session").status()).isEqualTo(200);
            servers.expireSessions();

            List<Integer> statuses = concurrently(12, () -> api.get("/session").status());

            assertThat(statuses).containsOnly(200);
            assertThat(api.stats().logins()).isEqualTo(2);
            assertThat(api.tokenRequests()).isZero();
            servers.expireSessions();
            servers.refuseLogins(true);
            try {
                ApiCallException e = recorded(catchApi(() -> api.get("/session")));
                assertThat(e.getMessage()).contains("login POST " + servers.apiUri() + "/login refused: HTTP 401");
            } finally {
                servers.refuseLogins(false);
            }
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void nothing_the_run_wrote_holds_a_secret() throws Exception {
        List<String> everything = new ArrayList<>(written);
        events.events().forEach(e -> everything.add(String.valueOf(e)));
        Path log = Path.of("target", "tests.log");
        if (Files.exists(log)) {
            everything.add(Files.readString(log));
        }
        List<String> secrets = new ArrayList<>(servers.secretsSeen);
        secrets.add(OAuthServers.CLIENT_SECRET);
        secrets.add(OAuthServers.LONG_CLIENT_SECRET);
        secrets.add(OAuthServers.LOGIN_PASSWORD);
        secrets.addAll(wrongSecrets);
        assertThat(servers.secretsSeen).as("the servers saw tokens and sessions").hasSizeGreaterThan(5);
        assertThat(everything).as("messages, events and the log").isNotEmpty();
        assertThat(String.join("\n", everything)).contains("api client 'orders'");   // the log is really there
        for (String text : everything) {
            for (String secret : secrets) {
                assertThat(text).as("a secret leaked").doesNotContain(secret);
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private interface Call<T> {
        T call() throws Exception;
    }

    /** Runs {@code n} calls at once (released together by a latch) and returns their results. */
    private static <T> List<T> concurrently(int n, Call<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                        return call.call();
                    } catch (Exception e) {
                        throw new RuntimeException(recorded(e));
                    }
                }, pool));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (CompletableFuture<T> f : futures) {
                results.add(f.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }

    private static ApiCallException catchApi(Runnable r) {
        Throwable t = catchThrowable(r);
        assertThat(t).isInstanceOf(ApiCallException.class);
        return (ApiCallException) t;
    }

    private static <T extends Throwable> T rootOf(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + failure);
    }
}
