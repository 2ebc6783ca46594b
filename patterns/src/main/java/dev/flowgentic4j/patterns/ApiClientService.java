package dev.flowgentic4j.patterns;

import dev.flowgentic4j.workflows.Ticker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authenticated API client service: one {@code java.net.http.HttpClient} per instance, with the
 * credentials of its {@link ApiClientSettings} (OAuth 2.0 client credentials, a static bearer token
 * or an API key), its own cookie store and an optional login session, kept across every call until
 * {@link #close()}.
 *
 * <ul>
 *   <li>An OAuth token is fetched once ({@link #connect}) and reused; it is renewed {@code renewalMargin}
 *       before it expires (at most half its lifetime before) by the one caller that finds it due,
 *       while callers that find it still valid keep using it and callers that find it expired wait
 *       for that one renewal (within their own deadline): N concurrent callers, one token request.</li>
 *   <li>A {@code 401} leads to one renewal (shared by every caller that was refused the same token;
 *       without OAuth but with an {@link ApiLogin}, one new login shared the same way) and one retry; {@code 429} and {@code 503} are retried after {@code Retry-After} (or the
 *       backoff) if that fits in the call's deadline, up to {@code maxRetries} times.</li>
 *   <li>Other failures throw {@link ApiCallException} naming the endpoint and the status; a refused
 *       credential throws {@link ApiAuthenticationException} naming the token endpoint and the OAuth
 *       error code. No message, log line or counter ever holds a secret: the client secret, API key,
 *       tokens, login body, session id and cookie values are replaced by {@code ***} in any text it quotes.</li>
 * </ul>
 *
 * Thread-safe; no lock is taken on a call's path. {@link #close()} drops the token, the session id and
 * the cookies, and ends the client's threads.
 *
 * <pre>{@code
 * try (ApiClientService api = ApiClientService.connect(settings)) {      // first token fetched here
 *     ApiResponse account = api.get("/account");
 *     ApiResponse order = api.send(ApiRequest.post("/orders", "{\"sku\":\"ACME\",\"qty\":3}"));
 * }
 * }</pre>
 */
public final class ApiClientService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiClientService.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final int EXCERPT = 200;
    private static final long MAX_RETRY_AFTER_SECONDS = 24 * 3600;
    private static final int KEPT_TOKENS = 8;

    private final ApiClientSettings settings;
    private final Ticker ticker;
    private final ExecutorService executor;
    private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    private final HttpClient http;
    private final Optional<ApiCredentials.ClientCredentials> oauth;
    private final String tokenEndpoint;

    private final AtomicReference<Token> token = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<Token>> renewal = new AtomicReference<>();
    /** Every token this instance was given, newest first, so that messages can be cleaned of them. */
    private final ConcurrentLinkedDeque<String> issuedTokens = new ConcurrentLinkedDeque<>();
    private volatile String sessionId;
    /** Logins made so far; a call remembers the one it used, so that concurrent 401s make one new login. */
    private final AtomicLong sessionGeneration = new AtomicLong();
    private final AtomicReference<CompletableFuture<Void>> relogin = new AtomicReference<>();
    private volatile String lastRenewalFailure;
    private volatile boolean stopped;

    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong tokenRequests = new AtomicLong();
    private final AtomicLong renewalsAfter401 = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong logins = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    private record Token(String value, long obtainedAt, long renewAt, long expiresAt) {
        boolean usable(long now) {
            return now - expiresAt < 0;
        }

        boolean fresh(long now) {
            return now - renewAt < 0;
        }
    }

    private ApiClientService(ApiClientSettings settings) {
        this.settings = settings;
        this.ticker = settings.ticker();
        String prefix = "api-client-" + settings.name() + "-";
        executor = Executors.newFixedThreadPool(settings.threads(), r -> {
            Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http = HttpClient.newBuilder()
                .executor(executor)
                .cookieHandler(cookies)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        oauth = settings.credentials() instanceof ApiCredentials.ClientCredentials cc ? Optional.of(cc) : Optional.empty();
        tokenEndpoint = oauth.map(cc -> "POST " + withoutSecrets(cc.tokenEndpoint())).orElse("");
    }

    /**
     * Creates the client, fetches the first token (OAuth) and makes the login call (if configured).
     *
     * @throws ApiAuthenticationException if the token endpoint refuses the credentials (the message
     *     names the endpoint and the OAuth error code) or the login is refused
     * @throws ApiCallException if the token endpoint or the login cannot be reached
     */
    public static ApiClientService connect(ApiClientSettings settings) {
        ApiClientService client = new ApiClientService(Objects.requireNonNull(settings, "settings"));
        try {
            long deadline = System.nanoTime() + settings.callTimeout().toNanos();
            if (client.oauth.isPresent()) {
                client.renew(null, deadline);
            }
            if (settings.login().isPresent()) {
                client.login(settings.login().get(), deadline);
            }
            return client;
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    /**
     * The readiness check: a token is held (OAuth) and, if a probe path is configured, its {@code GET}
     * answered 2xx.
     *
     * @throws ApiCallException if not
     */
    public void checkReady() {
        ensureRunning();
        if (oauth.isPresent() && token.get() == null) {
            throw new ApiCallException(tokenEndpoint, 0, "no access token obtained from " + tokenEndpoint);
        }
        if (settings.probePath().isPresent()) {
            send(ApiRequest.get(settings.probePath().get()));
        }
    }

    /**
     * The health check: the last token renewal succeeded, and the token endpoint (OAuth) or the API
     * (otherwise) accepts a TCP connection. Sends no token request.
     *
     * @throws ApiCallException if the last renewal failed
     * @throws IOException if the endpoint does not accept a connection
     */
    public void checkHealth() throws IOException {
        ensureRunning();
        String failure = lastRenewalFailure;
        if (failure != null) {
            throw new ApiCallException(tokenEndpoint, 0, "the last token renewal failed: " + failure);
        }
        URI target = oauth.map(ApiCredentials.ClientCredentials::tokenEndpoint).orElse(settings.baseUrl());
        int port = target.getPort() >= 0 ? target.getPort() : "https".equalsIgnoreCase(target.getScheme()) ? 443 : 80;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.getHost(), port),
                    (int) Math.min(settings.connectTimeout().toMillis(), 5_000));
        } catch (IOException e) {
            throw new IOException((oauth.isPresent() ? "token endpoint " : "API ") + withoutSecrets(target)
                    + " is unreachable: " + e.getClass().getSimpleName(), e);
        }
    }

    /** {@code GET path}. @see #send */
    public ApiResponse get(String path) {
        return send(ApiRequest.get(path));
    }

    /** {@code POST path} with a JSON body. @see #send */
    public ApiResponse post(String path, String json) {
        return send(ApiRequest.post(path, json));
    }

    /**
     * Sends {@code request} with the credentials and the session, within its deadline (the request's
     * timeout, else the settings' {@code callTimeout}), renewing the token and retrying as described above.
     *
     * @return the answer, if its status is below 400
     * @throws ApiCallException naming the endpoint and the status if the answer is 400 or above after
     *     the retries, or none came within the deadline; never holding a secret
     * @throws IllegalStateException if the client is stopped
     */
    public ApiResponse send(ApiRequest request) {
        Objects.requireNonNull(request, "request");
        ensureRunning();
        calls.incrementAndGet();
        long deadline = System.nanoTime() + request.timeout().orElse(settings.callTimeout()).toNanos();
        URI uri = resolve(request.path());
        String endpoint = request.method() + " " + withoutSecrets(uri);
        try {
            return exchangeWithRetries(request, uri, endpoint, deadline);
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            throw e;
        }
    }

    private ApiResponse exchangeWithRetries(ApiRequest request, URI uri, String endpoint, long deadline) {
        boolean renewedAfter401 = false;
        int retried = 0;
        int exchanges = 0;
        while (true) {
            Token used = oauth.isPresent() ? currentToken(deadline) : null;
            long session = sessionGeneration.get();
            Map<String, String> headers = new LinkedHashMap<>(settings.headers());
            headers.putAll(request.headers());
            authorize(headers, used);
            request.body().ifPresent(b -> headers.put("Content-Type", request.contentType()));
            Answer answer = exchange(request.method(), uri, headers, request.body().orElse(null), endpoint, deadline);
            exchanges++;
            int status = answer.status();
            if (status == 401 && oauth.isPresent() && !renewedAfter401) {
                renewedAfter401 = true;
                renewalsAfter401.incrementAndGet();
                log.debug("api client '{}': {} answered 401, renewing the token once", settings.name(), endpoint);
                renew(used, deadline);
                continue;
            }
            if (status == 401 && oauth.isEmpty() && settings.login().isPresent() && !renewedAfter401) {
                renewedAfter401 = true;
                renewalsAfter401.incrementAndGet();
                log.debug("api client '{}': {} answered 401, logging in again once", settings.name(), endpoint);
                relogin(session, deadline);
                continue;
            }
            if ((status == 429 || status == 503) && retried < settings.maxRetries()) {
                Duration wait = retryAfter(answer).orElse(settings.retryBackoff());
                long remaining = deadline - System.nanoTime();
                if (wait.toNanos() >= remaining) {
                    throw new ApiCallException(endpoint, status, endpoint + " answered HTTP " + status
                            + " asking to retry after " + wait.toMillis() + " ms, beyond the call's remaining "
                            + TimeUnit.NANOSECONDS.toMillis(Math.max(0, remaining)) + " ms");
                }
                retried++;
                retries.incrementAndGet();
                pause(wait, endpoint);
                continue;
            }
            if (status >= 400) {
                String why = status == 401 && oauth.isPresent() ? " after one token renewal"
                        : status == 401 && settings.login().isPresent() ? " after one new login"
                        : status == 401 || status == 403 ? " (credential refused)" : "";
                String prefix = endpoint + " answered HTTP " + status + why;
                String excerpt = excerpt(answer.body());
                ApiCallException e = status == 401 && oauth.isEmpty() && settings.login().isEmpty()
                        ? new ApiAuthenticationException(endpoint, status, null, prefix + excerpt)
                        : new ApiCallException(endpoint, status, prefix + excerpt);
                throw e;
            }
            return new ApiResponse(status, answer.body(), answer.headers(), exchanges);
        }
    }

    private void authorize(Map<String, String> headers, Token used) {
        ApiCredentials credentials = settings.credentials();
        if (used != null) {
            headers.put("Authorization", "Bearer " + used.value());
        } else if (credentials instanceof ApiCredentials.BearerToken bearer) {
            headers.put("Authorization", "Bearer " + bearer.token().reveal());
        } else if (credentials instanceof ApiCredentials.ApiKey key) {
            headers.put(key.header(), key.key().reveal());
        }
        String session = sessionId;
        if (session != null) {
            settings.login().flatMap(ApiLogin::sessionHeader).ifPresent(h -> headers.put(h, session));
        }
    }

    // ---- tokens ------------------------------------------------------------------------------

    /** The token to use now: the current one while fresh (or while another caller renews it), else a renewal. */
    private Token currentToken(long deadline) {
        Token t = token.get();
        long now = ticker.read();
        if (t != null && (t.fresh(now) || (t.usable(now) && renewal.get() != null))) {
            return t;
        }
        try {
            return renew(t, deadline);
        } catch (ApiCallException e) {
            if (t != null && t.usable(ticker.read())) {
                return t;   // renewal ahead of expiry failed (logged, and health says so): the old token still serves
            }
            throw e;
        }
    }

    /**
     * Replaces {@code stale} (null: none yet) by a new token: the first caller to get here requests it;
     * every other caller waits for that request, within its own deadline. A caller that arrives after
     * the replacement gets the new token at once.
     */
    private Token renew(Token stale, long deadline) {
        while (true) {
            CompletableFuture<Token> inFlight = renewal.get();
            if (inFlight != null) {
                return await(inFlight, deadline);
            }
            Token current = token.get();
            if (current != stale && current != null && current.fresh(ticker.read())) {
                return current;
            }
            CompletableFuture<Token> mine = new CompletableFuture<>();
            if (!renewal.compareAndSet(null, mine)) {
                continue;
            }
            try {
                // a renewal may have finished between our read and our CAS: use its token
                current = token.get();
                if (current != stale && current != null && current.fresh(ticker.read())) {
                    mine.complete(current);
                    return current;
                }
                Token fresh = requestToken(deadline);
                token.set(fresh);
                lastRenewalFailure = null;
                mine.complete(fresh);
                return fresh;
            } catch (RuntimeException | Error e) {
                lastRenewalFailure = e.getMessage();
                if (stale != null) {
                    log.warn("api client '{}': token renewal failed: {}", settings.name(), e.getMessage());
                }
                mine.completeExceptionally(e);
                throw e;
            } finally {
                renewal.compareAndSet(mine, null);
            }
        }
    }

    private Token await(CompletableFuture<Token> inFlight, long deadline) {
        long remaining = deadline - System.nanoTime();
        try {
            return inFlight.get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new ApiCallException(tokenEndpoint, 0, "no token from " + tokenEndpoint
                    + " within the call's deadline (another caller's renewal is in progress)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiCallException(tokenEndpoint, 0, "interrupted while waiting for a token from " + tokenEndpoint);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiCallException failed) {
                // a copy, so that this caller's stack trace is its own
                if (failed instanceof ApiAuthenticationException auth) {
                    throw new ApiAuthenticationException(auth.endpoint(), auth.status(), auth.errorCode().orElse(null),
                            auth.getMessage());
                }
                throw new ApiCallException(failed.endpoint(), failed.status(), failed.getMessage());
            }
            throw new ApiCallException(tokenEndpoint, 0, "token renewal failed: " + clean(String.valueOf(e.getCause())));
        }
    }

    private Token requestToken(long deadline) {
        ApiCredentials.ClientCredentials cc = oauth.orElseThrow();
        tokenRequests.incrementAndGet();
        StringBuilder form = new StringBuilder("grant_type=client_credentials");
        if (!cc.scopes().isEmpty()) {
            form.append("&scope=").append(formEncode(cc.scopes().stream().sorted().collect(Collectors.joining(" "))));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        headers.put("Accept", "application/json");
        if (cc.formAuthentication()) {
            form.append("&client_id=").append(formEncode(cc.clientId()))
                    .append("&client_secret=").append(formEncode(cc.clientSecret().reveal()));
        } else {
            String pair = formEncode(cc.clientId()) + ":" + formEncode(cc.clientSecret().reveal());
            headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        long started = ticker.read();
        Answer answer = exchange("POST", cc.tokenEndpoint(), headers, form.toString(), tokenEndpoint, deadline);
        Map<String, String> json = ApiJson.object(answer.body());
        if (answer.status() != 200) {
            String code = json.get("error");
            String safeCode = code == null ? null : escape(code, 60);
            String description = json.get("error_description");
            throw new ApiAuthenticationException(tokenEndpoint, answer.status(), safeCode,
                    "token endpoint " + tokenEndpoint + " refused the client credentials of client '"
                            + escape(cc.clientId(), 100) + "': HTTP " + answer.status()
                            + (safeCode != null ? ", OAuth error " + safeCode : ", no OAuth error code")
                            + (description != null ? " (" + escape(clean(description), EXCERPT) + ")" : ""));
        }
        String value = json.get("access_token");
        if (value == null || value.isBlank()) {
            throw new ApiCallException(tokenEndpoint, 200, "token endpoint " + tokenEndpoint
                    + " answered 200 without an access_token");
        }
        String type = json.get("token_type");
        if (type != null && !type.equalsIgnoreCase("bearer")) {
            throw new ApiCallException(tokenEndpoint, 200, "token endpoint " + tokenEndpoint
                    + " issued a token of type '" + escape(type, 40) + "', expected Bearer");
        }
        issuedTokens.addFirst(value);
        while (issuedTokens.size() > KEPT_TOKENS) {
            issuedTokens.pollLast();
        }
        long lifetime = parseSeconds(json.get("expires_in"))
                .map(s -> TimeUnit.SECONDS.toNanos(s)).orElse(Long.MAX_VALUE / 4);
        long margin = Math.min(settings.renewalMargin().toNanos(), lifetime / 2);
        Token t = new Token(value, started, started + lifetime - margin, started + lifetime);
        if (tokenRequests.get() == 1) {
            log.info("api client '{}': obtained an access token from {} for client '{}' (valid {} s)", settings.name(),
                    tokenEndpoint, escape(cc.clientId(), 100), TimeUnit.NANOSECONDS.toSeconds(lifetime));
        } else {
            log.debug("api client '{}': renewed the access token from {} (token request {}, valid {} s)",
                    settings.name(), tokenEndpoint, tokenRequests.get(), TimeUnit.NANOSECONDS.toSeconds(lifetime));
        }
        return t;
    }

    private static Optional<Long> parseSeconds(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            long s = (long) Double.parseDouble(text);
            return s > 0 ? Optional.of(Math.min(s, 10L * 365 * 24 * 3600)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    // ---- session -----------------------------------------------------------------------------

    private void login(ApiLogin login, long deadline) {
        URI uri = resolve(login.path());
        String endpoint = "POST " + withoutSecrets(uri);
        Map<String, String> headers = new LinkedHashMap<>(settings.headers());
        authorize(headers, token.get());
        headers.put("Content-Type", login.contentType());
        logins.incrementAndGet();
        Answer answer = exchange("POST", uri, headers, login.body().reveal(), endpoint, deadline);
        if (answer.status() >= 300) {
            throw new ApiAuthenticationException(endpoint, answer.status(), null,
                    "login " + endpoint + " refused: HTTP " + answer.status() + excerpt(answer.body()));
        }
        if (login.sessionIdField().isPresent()) {
            String field = login.sessionIdField().get();
            String id = ApiJson.field(answer.body(), field).orElseThrow(() -> new ApiCallException(endpoint,
                    answer.status(), "login " + endpoint + " answered without the session id field '" + escape(field, 60) + "'"));
            if (id.isEmpty() || id.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || id.length() > 4096) {
                throw new ApiCallException(endpoint, answer.status(), "login " + endpoint
                        + " answered a session id that cannot be sent in a header");
            }
            sessionId = id;
        }
        sessionGeneration.incrementAndGet();
        log.info("api client '{}': logged in at {} ({} session cookie(s){})", settings.name(), endpoint,
                cookies.getCookieStore().getCookies().size(), sessionId != null ? ", a session id" : "");
    }

    /**
     * Logs in again after a 401 on the session of generation {@code used}: the first caller to get here
     * makes the login, the others wait for it within their deadline; a caller whose session was already
     * replaced returns at once.
     */
    private void relogin(long used, long deadline) {
        while (true) {
            CompletableFuture<Void> inFlight = relogin.get();
            if (inFlight != null) {
                awaitLogin(inFlight, deadline);
                return;
            }
            if (sessionGeneration.get() != used) {
                return;
            }
            CompletableFuture<Void> mine = new CompletableFuture<>();
            if (!relogin.compareAndSet(null, mine)) {
                continue;
            }
            try {
                if (sessionGeneration.get() == used) {
                    login(settings.login().orElseThrow(), deadline);
                }
                mine.complete(null);
                return;
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                relogin.compareAndSet(mine, null);
            }
        }
    }

    private void awaitLogin(CompletableFuture<Void> inFlight, long deadline) {
        String endpoint = "POST " + withoutSecrets(resolve(settings.login().orElseThrow().path()));
        try {
            inFlight.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new ApiCallException(endpoint, 0, "no new login session from " + endpoint
                    + " within the call's deadline (another caller's login is in progress)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiCallException(endpoint, 0, "interrupted while waiting for a login at " + endpoint);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiCallException failed) {
                throw new ApiCallException(failed.endpoint(), failed.status(), failed.getMessage());
            }
            throw new ApiCallException(endpoint, 0, "login failed: " + clean(String.valueOf(e.getCause())));
        }
    }

    /** Whether a login session is held: a session id or cookies. */
    public boolean hasSession() {
        return sessionId != null || !cookies.getCookieStore().getCookies().isEmpty();
    }

    /** The names (never the values) of the cookies the client holds. */
    public Set<String> cookieNames() {
        return cookies.getCookieStore().getCookies().stream().map(HttpCookie::getName)
                .collect(Collectors.toUnmodifiableSet());
    }

    // ---- one HTTP exchange -------------------------------------------------------------------

    private record Answer(int status, String body, Map<String, List<String>> headers) {}

    private Answer exchange(String method, URI uri, Map<String, String> headers, String body, String endpoint,
                            long deadline) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new ApiCallException(endpoint, 0, endpoint + ": the call's deadline passed before it could be sent");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofNanos(remaining))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(b::header);
        CompletableFuture<HttpResponse<String>> future;
        try {
            future = http.sendAsync(b.build(), info -> new BoundedBody(settings.maxResponseBytes()));
        } catch (RuntimeException e) {
            throw new ApiCallException(endpoint, 0, endpoint + " could not be sent: " + clean(e.toString()));
        }
        try {
            HttpResponse<String> r = future.get(remaining, TimeUnit.NANOSECONDS);
            return new Answer(r.statusCode(), r.body(), r.headers().map());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw timeout(endpoint, deadline, remaining);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ApiCallException(endpoint, 0, endpoint + ": interrupted while waiting for the answer");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw timeout(endpoint, deadline, remaining);
            }
            if (cause instanceof TooLargeException) {
                throw new ApiCallException(endpoint, 0, endpoint + " answered more than "
                        + settings.maxResponseBytes() + " bytes (maxResponseBytes)");
            }
            throw new ApiCallException(endpoint, 0, endpoint + " failed: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() != null ? ": " + escape(clean(cause.getMessage()), EXCERPT) : ""));
        }
    }

    private static ApiCallException timeout(String endpoint, long deadline, long budget) {
        return new ApiCallException(endpoint, 0, endpoint + " gave no answer within the call's deadline ("
                + TimeUnit.NANOSECONDS.toMillis(budget) + " ms left)");
    }

    private void pause(Duration wait, String endpoint) {
        try {
            Thread.sleep(wait.toMillis(), (int) (wait.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiCallException(endpoint, 0, endpoint + ": interrupted while waiting to retry");
        }
    }

    /** {@code Retry-After} as delta-seconds or an HTTP date; empty if absent or unreadable. */
    static Optional<Duration> retryAfter(Map<String, List<String>> headers) {
        String value = headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("Retry-After") && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0).trim()).findFirst().orElse(null);
        if (value == null || value.isEmpty() || value.length() > 64) {
            return Optional.empty();
        }
        if (value.chars().allMatch(Character::isDigit)) {
            long seconds = value.length() > 9 ? MAX_RETRY_AFTER_SECONDS : Long.parseLong(value);
            return Optional.of(Duration.ofSeconds(Math.min(seconds, MAX_RETRY_AFTER_SECONDS)));
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> retryAfter(Answer answer) {
        return retryAfter(answer.headers());
    }

    /** Reads at most {@code max} bytes; more fails the exchange. */
    private static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException() {
            super("answer too large");
        }
    }

    private static final class BoundedBody implements HttpResponse.BodySubscriber<String> {
        private final int max;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        BoundedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if ((long) bytes.size() + item.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLargeException());
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toString(StandardCharsets.UTF_8));
        }
    }

    // ---- secrets out of every message --------------------------------------------------------

    /** {@code text} with every secret this client knows replaced by {@code ***}. */
    String clean(String text) {
        if (text == null) {
            return null;
        }
        List<String> secrets = new ArrayList<>(issuedTokens);
        ApiCredentials c = settings.credentials();
        if (c instanceof ApiCredentials.ClientCredentials cc) {
            secrets.add(cc.clientSecret().reveal());
            secrets.add(formEncode(cc.clientSecret().reveal()));
            String pair = formEncode(cc.clientId()) + ":" + formEncode(cc.clientSecret().reveal());
            secrets.add(Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        } else if (c instanceof ApiCredentials.BearerToken b) {
            secrets.add(b.token().reveal());
        } else if (c instanceof ApiCredentials.ApiKey k) {
            secrets.add(k.key().reveal());
        }
        settings.login().ifPresent(l -> secrets.add(l.body().reveal()));
        String session = sessionId;
        if (session != null) {
            secrets.add(session);
        }
        for (HttpCookie cookie : cookies.getCookieStore().getCookies()) {
            secrets.add(cookie.getValue());
        }
        secrets.sort(Comparator.comparingInt(String::length).reversed());
        String out = text;
        for (String s : secrets) {
            if (s != null && s.length() >= 4) {
                out = out.replace(s, "***");
            }
        }
        return out;
    }

    private String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        return ": " + escape(clean(body.strip()), EXCERPT);
    }

    /** At most {@code max} characters of {@code text}, control characters escaped, one line. */
    static String escape(String text, int max) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), max) + 8);
        for (int i = 0; i < text.length() && b.length() < max; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() >= max && text.length() > max) {
            b.append("...");
        }
        return b.toString();
    }

    /** {@code scheme://host:port/path}: no user info, query or fragment (where API keys hide). */
    static String withoutSecrets(URI uri) {
        StringBuilder b = new StringBuilder();
        if (uri.getScheme() != null) {
            b.append(uri.getScheme()).append("://");
        }
        if (uri.getHost() != null) {
            b.append(uri.getHost());
        }
        if (uri.getPort() >= 0) {
            b.append(':').append(uri.getPort());
        }
        if (uri.getRawPath() != null) {
            b.append(uri.getRawPath());
        }
        return b.toString();
    }

    private static String formEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---- the rest ----------------------------------------------------------------------------

    private URI resolve(String path) {
        String base = settings.baseUrl().toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        try {
            return URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("path is not a valid URI path: '" + escape(path, 200) + "'");
        }
    }

    private void ensureRunning() {
        if (stopped) {
            throw new IllegalStateException("api client '" + settings.name() + "' is stopped");
        }
    }

    public ApiClientSettings settings() {
        return settings;
    }

    /** The counters of this instance. */
    public ApiClientStats stats() {
        return new ApiClientStats(calls.get(), tokenRequests.get(), renewalsAfter401.get(), retries.get(),
                logins.get(), failures.get());
    }

    /** Token requests sent so far (the first one included). */
    public long tokenRequests() {
        return tokenRequests.get();
    }

    /**
     * The lifetime the token endpoint announced ({@code expires_in}) for the current token; empty with
     * no token, or when the endpoint announced none (the token is then renewed only after a {@code 401}).
     */
    public Optional<Duration> tokenLifetime() {
        Token t = token.get();
        return t == null || t.expiresAt() - t.obtainedAt() >= Long.MAX_VALUE / 4
                ? Optional.empty() : Optional.of(Duration.ofNanos(t.expiresAt() - t.obtainedAt()));
    }

    /** Whether an unexpired access token is held. */
    public boolean hasToken() {
        Token t = token.get();
        return t != null && t.usable(ticker.read());
    }

    public boolean isStopped() {
        return stopped;
    }

    /**
     * Drops the token, the session id and the cookies and ends the client's threads. Idempotent; calls
     * afterwards throw {@link IllegalStateException}.
     */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        token.set(null);
        sessionId = null;
        cookies.getCookieStore().removeAll();
        shutdownHttpClient();
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        issuedTokens.clear();
        log.info("api client '{}': stopped; token, session and cookies dropped", settings.name());
    }

    /**
     * Java 21+: {@code HttpClient.shutdownNow()} aborts the exchanges in flight and ends the client's
     * selector thread at once. On Java 17 there is no such method: that (daemon) thread ends when the
     * client is garbage collected, and our executor's threads end below.
     */
    private void shutdownHttpClient() {
        try {
            HttpClient.class.getMethod("shutdownNow").invoke(http);
        } catch (NoSuchMethodException e) {
            // Java 17
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("api client '{}': shutting the HTTP client down: {}", settings.name(), e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return "ApiClientService[" + settings.name() + ", " + withoutSecrets(settings.baseUrl())
                + (stopped ? ", stopped" : "") + "]";
    }
}
