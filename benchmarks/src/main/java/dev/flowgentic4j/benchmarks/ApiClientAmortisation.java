package dev.flowgentic4j.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flowgentic4j.patterns.ApiClientService;
import dev.flowgentic4j.patterns.ApiClientSettings;
import dev.flowgentic4j.patterns.ApiCredentials;
import dev.flowgentic4j.patterns.ApiSecret;
import dev.flowgentic4j.patterns.Options;
import dev.flowgentic4j.patterns.PatternServices;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The authenticated API client in the cold-start benchmark, on a local OAuth 2.0 server of the JDK
 * (a token endpoint issuing RS256 JWTs for client credentials, and an API verifying each token's
 * signature and expiry, on 127.0.0.1):
 *
 * <ol>
 *   <li>N calls through the {@code api_client} SERVICE_TASK (one token request, then warm calls) against a
 *       FUNCTION_TASK that logs in for every call (connect: a token request; the call; close);</li>
 *   <li>the token load: {@code --api-calls} (1,000) calls from {@code --api-threads} (32) threads spread over
 *       {@code --api-window} (10 s) with tokens of {@code --token-lifetime} (2 s): the token requests made
 *       against the floor, the number of lifetimes the window spans.</li>
 * </ol>
 *
 * Run alone: {@code ./mvnw -q -B compile exec:java -pl benchmarks -am
 * -Dbenchmark=dev.flowgentic4j.benchmarks.ApiClientAmortisation -Dexec.args="--n=100"}; {@link ColdStartAmortisation}
 * runs it after the model and the pool.
 */
public final class ApiClientAmortisation {
    private static final String CLIENT_ID = "bench-client";

    private ApiClientAmortisation() {}

    public static void main(String[] args) throws Exception {
        Options options = Options.of(System.getenv(), args);
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "API client benchmark, %d cores, load average %.1f, Java %s%n",
                Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.version());
        run(options, out);
    }

    /** Both measurements, printed to {@code out}. */
    public static void run(Options options, PrintStream out) throws Exception {
        int n = options.intValue("n", null, 100);
        try (LocalOAuthServer server = LocalOAuthServer.start(Duration.ofSeconds(options.intValue("token-lifetime", null, 2)))) {
            amortisation(server, 5 * n, 2);   // discarded round: JIT compilation of the HTTP client paths
            List<ColdStartAmortisation.Result> rounds = new ArrayList<>();
            for (int r = 0; r < options.intValue("api-rounds", null, 5); r++) {
                rounds.add(amortisation(server, n, n));
            }
            ColdStartAmortisation.report(out, rounds);
            LoadResult load = tokenLoad(server, options.intValue("api-calls", null, 1000),
                    options.intValue("api-threads", null, 32),
                    Duration.ofSeconds(options.intValue("api-window", null, 10)),
                    Duration.ofMillis(options.intValue("renewal-margin-ms", null, 250)));
            load.print(out);
        }
    }

    static ColdStartAmortisation.Result amortisation(LocalOAuthServer server, int n, int functionCalls) throws Exception {
        ApiClientSettings settings = server.settings(Duration.ofMillis(250));
        return ColdStartAmortisation.measure("authenticated API client (OAuth client credentials, RS256 JWT)", n,
                functionCalls, PatternServices.apiClient(), settings,
                i -> api -> api.get("/orders").body(),
                (ApiClientSettings s) -> {
                    try (ApiClientService fresh = ApiClientService.connect(s)) {   // logs in for this one call
                        return fresh.get("/orders").body();
                    }
                }, i -> settings);
    }

    /** The token load's figures. */
    public record LoadResult(int calls, int threads, Duration window, Duration elapsed, Duration lifetime,
                             Duration margin, long tokenRequests, long failures, long refusedByApi,
                             List<String> failureMessages) {
        /** Lifetimes the measured time spans: the fewest token requests that can cover it. */
        public long floor() {
            return (long) Math.ceil((double) elapsed.toNanos() / lifetime.toNanos());
        }

        void print(PrintStream out) {
            out.printf(Locale.ROOT, "%n== API client token load: %d calls from %d threads over %.1f s (target %d s), "
                    + "token lifetime %d s, renewal margin %d ms ==%n", calls, threads, elapsed.toNanos() / 1e9,
                    window.toSeconds(), lifetime.toSeconds(), margin.toMillis());
            out.printf(Locale.ROOT, "  token requests %d (floor: %d lifetimes spanned; with the margin each token serves "
                    + "%.2f s: %d expected); failed calls %d; 401s from the API %d; load average %.1f%n",
                    tokenRequests, floor(), (lifetime.toNanos() - margin.toNanos()) / 1e9,
                    (long) Math.ceil((double) elapsed.toNanos() / (lifetime.toNanos() - margin.toNanos())),
                    failures, refusedByApi, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            failureMessages.forEach(m -> out.println("  failed: " + m));
        }
    }

    static LoadResult tokenLoad(LocalOAuthServer server, int calls, int threads, Duration window, Duration margin)
            throws Exception {
        long refusedBefore = server.refused.get();
        AtomicLong failures = new AtomicLong();
        java.util.Set<String> failureMessages = java.util.concurrent.ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (ApiClientService api = ApiClientService.connect(server.settings(margin).toBuilder().threads(4).build())) {
            CountDownLatch go = new CountDownLatch(1);
            long start = System.nanoTime();
            long spacing = window.toNanos() / Math.max(1, calls / threads);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                int mine = calls / threads + (t < calls % threads ? 1 : 0);
                futures.add(pool.submit(() -> {
                    go.await();
                    long offset = spacing * thread / threads;   // threads interleaved, not in lockstep
                    for (int i = 0; i < mine; i++) {
                        long due = start + offset + spacing * i;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        try {
                            api.get("/orders");
                        } catch (RuntimeException e) {
                            failures.incrementAndGet();
                            failureMessages.add(String.valueOf(e));
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            return new LoadResult(calls, threads, window, elapsed, server.lifetime, margin, api.tokenRequests(),
                    failures.get(), server.refused.get() - refusedBefore, List.copyOf(failureMessages));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A small OAuth 2.0 server on the JDK's HTTP server: {@code POST /oauth2/token} (client credentials,
     * HTTP Basic) answers an RS256-signed JWT living {@code lifetime}; {@code GET /orders} verifies the
     * bearer JWT's signature and expiry and answers a JSON list, or 401.
     */
    static final class LocalOAuthServer implements AutoCloseable {
        final Duration lifetime;
        final AtomicLong tokensIssued = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        private final String secret = "bench-" + UUID.randomUUID();
        private final KeyPair keys;
        private final HttpServer http;
        private final ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "bench-oauth-server");
            t.setDaemon(true);
            return t;
        });

        private LocalOAuthServer(Duration lifetime) throws Exception {
            this.lifetime = lifetime;
            // without TCP_NODELAY each answer waits ~40 ms for a delayed ACK (see HttpServerService)
            if (System.getProperty("sun.net.httpserver.nodelay") == null) {
                System.setProperty("sun.net.httpserver.nodelay", "true");
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keys = generator.generateKeyPair();
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.setExecutor(executor);
            http.createContext("/oauth2/token", this::token);
            http.createContext("/orders", this::orders);
            http.start();
        }

        static LocalOAuthServer start(Duration lifetime) throws Exception {
            return new LocalOAuthServer(lifetime);
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
        }

        ApiClientSettings settings(Duration margin) {
            return ApiClientSettings.builder(uri()).name("bench_orders")
                    .credentials(ApiCredentials.clientCredentials(uri().resolve("/oauth2/token"), CLIENT_ID,
                            ApiSecret.of(secret), Set.of("orders.read")))
                    .renewalMargin(margin)
                    .build();
        }

        private void token(HttpExchange exchange) throws IOException {
            exchange.getRequestBody().readNBytes(4096);
            String expected = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + secret).getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                respond(exchange, 401, "{\"error\":\"invalid_client\"}");
                return;
            }
            tokensIssued.incrementAndGet();
            long now = System.currentTimeMillis();
            String jwt = sign("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{\"sub\":\"" + CLIENT_ID + "\",\"scope\":\"orders.read\","
                    + "\"iat\":" + now / 1000 + ",\"exp_ms\":" + (now + lifetime.toMillis()) + ",\"jti\":\"" + UUID.randomUUID() + "\"}");
            respond(exchange, 200, "{\"access_token\":\"" + jwt + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                    + lifetime.toSeconds() + "}");
        }

        private void orders(HttpExchange exchange) throws IOException {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.startsWith("Bearer ") || !valid(auth.substring(7))) {
                refused.incrementAndGet();
                respond(exchange, 401, "{\"error\":\"invalid_token\"}");
                return;
            }
            respond(exchange, 200, "[{\"id\":1,\"sku\":\"ACME\",\"qty\":3}]");
        }

        private String sign(String header, String claims) {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                    + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
            try {
                Signature s = Signature.getInstance("SHA256withRSA");
                s.initSign(keys.getPrivate());
                s.update(input.getBytes(StandardCharsets.US_ASCII));
                return input + "." + b64.encodeToString(s.sign());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private boolean valid(String jwt) {
            String[] parts = jwt.split("\\.");
            if (parts.length != 3) {
                return false;
            }
            try {
                Signature s = Signature.getInstance("SHA256withRSA");
                s.initVerify(keys.getPublic());
                s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
                if (!s.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                    return false;
                }
                String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
                int at = claims.indexOf("\"exp_ms\":") + 9;
                long exp = Long.parseLong(claims.substring(at, claims.indexOf(',', at)));
                return System.currentTimeMillis() < exp;
            } catch (Exception e) {
                return false;
            }
        }

        private static void respond(HttpExchange exchange, int status, String body) throws IOException {
            try (exchange) {
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }

        @Override
        public void close() {
            http.stop(0);
            executor.shutdownNow();
        }
    }
}
