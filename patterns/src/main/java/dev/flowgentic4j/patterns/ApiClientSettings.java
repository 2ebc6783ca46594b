package dev.flowgentic4j.patterns;

import dev.flowgentic4j.workflows.Ticker;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the authenticated API client talks to one API: its base URL, its credentials, how early a
 * token is renewed, each call's deadline, how often a {@code 429}/{@code 503} is retried, the
 * largest answer it reads, an optional probe path (readiness) and login (session). Immutable;
 * built once with {@link #builder(URI)}; each setter checks its argument at once.
 *
 * <pre>{@code
 * ApiClientSettings settings = ApiClientSettings.builder(URI.create("https://api.example.com"))
 *     .credentials(ApiCredentials.clientCredentials(tokenUri, "orders-client",
 *             ApiSecret.fromEnv("ORDERS_CLIENT_SECRET"), Set.of("orders.read")))
 *     .renewalMargin(Duration.ofSeconds(30))
 *     .callTimeout(Duration.ofSeconds(5))
 *     .probePath("/health")
 *     .build();
 * }</pre>
 */
public final class ApiClientSettings {
    public static final String DEFAULT_NAME = "api_client";
    public static final Duration DEFAULT_RENEWAL_MARGIN = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(500);
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
    public static final int DEFAULT_THREADS = 2;

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> RESTRICTED = Set.of("authorization", "cookie", "host", "content-length",
            "connection", "expect", "upgrade", "content-type");

    private final String name;
    private final URI baseUrl;
    private final ApiCredentials credentials;
    private final Duration renewalMargin;
    private final Duration callTimeout;
    private final Duration connectTimeout;
    private final int maxRetries;
    private final Duration retryBackoff;
    private final int maxResponseBytes;
    private final int threads;
    private final Optional<String> probePath;
    private final Optional<ApiLogin> login;
    private final Map<String, String> headers;
    private final Ticker ticker;

    private ApiClientSettings(Builder b) {
        name = b.name;
        baseUrl = b.baseUrl;
        credentials = b.credentials;
        renewalMargin = b.renewalMargin;
        callTimeout = b.callTimeout;
        connectTimeout = b.connectTimeout;
        maxRetries = b.maxRetries;
        retryBackoff = b.retryBackoff;
        maxResponseBytes = b.maxResponseBytes;
        threads = b.threads;
        probePath = b.probePath;
        login = b.login;
        headers = Map.copyOf(b.headers);
        ticker = b.ticker;
    }

    /**
     * @throws IllegalArgumentException if {@code baseUrl} is not an absolute http(s) URI
     */
    public static Builder builder(URI baseUrl) {
        return new Builder(baseUrl);
    }

    /** A builder that starts from this settings' values. */
    public Builder toBuilder() {
        Builder b = new Builder(baseUrl);
        b.name = name;
        b.credentials = credentials;
        b.renewalMargin = renewalMargin;
        b.callTimeout = callTimeout;
        b.connectTimeout = connectTimeout;
        b.maxRetries = maxRetries;
        b.retryBackoff = retryBackoff;
        b.maxResponseBytes = maxResponseBytes;
        b.threads = threads;
        b.probePath = probePath;
        b.login = login;
        b.headers.putAll(headers);
        b.ticker = ticker;
        return b;
    }

    /** The name used in thread names and messages (default {@value #DEFAULT_NAME}). */
    public String name() {
        return name;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    public ApiCredentials credentials() {
        return credentials;
    }

    /** A token is renewed this long before it expires (at most half its lifetime before). */
    public Duration renewalMargin() {
        return renewalMargin;
    }

    /** Each call's deadline, retries and waits for {@code Retry-After} included, unless the request sets its own. */
    public Duration callTimeout() {
        return callTimeout;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How many times one call retries a {@code 429} or {@code 503} (within its deadline). */
    public int maxRetries() {
        return maxRetries;
    }

    /** The wait before retrying a {@code 429}/{@code 503} that names no {@code Retry-After}. */
    public Duration retryBackoff() {
        return retryBackoff;
    }

    /** The largest answer body read; a larger one fails the call. */
    public int maxResponseBytes() {
        return maxResponseBytes;
    }

    /** The client's own threads (the JDK client's executor), ended at stop. */
    public int threads() {
        return threads;
    }

    /** A path whose {@code GET} must answer 2xx before the service is RUNNING. */
    public Optional<String> probePath() {
        return probePath;
    }

    public Optional<ApiLogin> login() {
        return login;
    }

    /** Headers (not secrets) sent on every call, e.g. {@code Accept}. */
    public Map<String, String> headers() {
        return headers;
    }

    /** The clock of token lifetimes. */
    public Ticker ticker() {
        return ticker;
    }

    @Override
    public String toString() {
        return "ApiClientSettings[" + name + ", " + baseUrl + ", " + credentials + ", margin " + renewalMargin
                + ", timeout " + callTimeout + (login.isPresent() ? ", login " + login.get().path() : "") + "]";
    }

    /** Builds {@link ApiClientSettings}. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private final URI baseUrl;
        private ApiCredentials credentials = ApiCredentials.none();
        private Duration renewalMargin = DEFAULT_RENEWAL_MARGIN;
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
        private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
        private int threads = DEFAULT_THREADS;
        private Optional<String> probePath = Optional.empty();
        private Optional<ApiLogin> login = Optional.empty();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Ticker ticker = Ticker.systemTicker();

        private Builder(URI baseUrl) {
            this.baseUrl = requireHttpUri(baseUrl, "baseUrl");
        }

        /** @throws IllegalArgumentException if blank */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        public Builder credentials(ApiCredentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** @throws IllegalArgumentException if negative */
        public Builder renewalMargin(Duration margin) {
            this.renewalMargin = requireNotNegative(margin, "renewalMargin");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = requirePositive(timeout, "callTimeout");
            return this;
        }

        /** @throws IllegalArgumentException if zero or negative */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = requirePositive(timeout, "connectTimeout");
            return this;
        }

        /** @throws IllegalArgumentException if negative */
        public Builder maxRetries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0, was " + retries);
            }
            this.maxRetries = retries;
            return this;
        }

        /** @throws IllegalArgumentException if negative */
        public Builder retryBackoff(Duration backoff) {
            this.retryBackoff = requireNotNegative(backoff, "retryBackoff");
            return this;
        }

        /** @throws IllegalArgumentException if below 1 */
        public Builder maxResponseBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxResponseBytes must be >= 1, was " + bytes);
            }
            this.maxResponseBytes = bytes;
            return this;
        }

        /** @throws IllegalArgumentException if below 1 */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** @throws IllegalArgumentException if the path does not start with {@code /} */
        public Builder probePath(String path) {
            this.probePath = Optional.of(requirePath(path, "probePath"));
            return this;
        }

        public Builder login(ApiLogin login) {
            this.login = Optional.of(Objects.requireNonNull(login, "login"));
            return this;
        }

        /**
         * A header sent on every call. Not for secrets: {@code Authorization} and {@code Cookie} are refused
         * (use {@link ApiCredentials} and {@link ApiLogin}); so is {@code Content-Type}, which each request sets.
         *
         * @throws IllegalArgumentException if the name is not an HTTP token, is restricted, or the value holds a line break
         */
        public Builder header(String name, String value) {
            requireHeaderName(name, "header");
            Objects.requireNonNull(value, "value");
            if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("header " + name + " is set by the client itself");
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + name + " value must not hold a line break");
            }
            headers.put(name, value);
            return this;
        }

        /** The clock of token lifetimes (a fake one in tests). */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** @throws IllegalArgumentException if the login's session header is also a fixed header */
        public ApiClientSettings build() {
            login.flatMap(ApiLogin::sessionHeader).ifPresent(h -> {
                if (headers.keySet().stream().anyMatch(h::equalsIgnoreCase)) {
                    throw new IllegalArgumentException("header " + h + " is both a fixed header and the login's session header");
                }
            });
            if (credentials instanceof ApiCredentials.ApiKey key
                    && headers.keySet().stream().anyMatch(key.header()::equalsIgnoreCase)) {
                throw new IllegalArgumentException("header " + key.header() + " is both a fixed header and the API key's");
            }
            return new ApiClientSettings(this);
        }
    }

    static URI requireHttpUri(URI uri, String field) {
        Objects.requireNonNull(uri, field);
        String scheme = uri.getScheme();
        if (!uri.isAbsolute() || uri.getHost() == null
                || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw new IllegalArgumentException(field + " must be an absolute http or https URI, was '"
                    + ApiClientService.escape(ApiClientService.withoutSecrets(uri), 200) + "'");
        }
        if (uri.getUserInfo() != null) {
            throw new IllegalArgumentException(field + " must not carry user info (use ApiCredentials)");
        }
        return uri;
    }

    static String requireHeaderName(String name, String field) {
        Objects.requireNonNull(name, field);
        if (!TOKEN.matcher(name).matches()) {
            throw new IllegalArgumentException(field + " must be an HTTP header name, was '"
                    + ApiClientService.escape(name, 60) + "'");
        }
        return name;
    }

    static String requirePath(String path, String field) {
        Objects.requireNonNull(path, field);
        if (!path.startsWith("/") || path.startsWith("//") || path.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            throw new IllegalArgumentException(field + " must be a path starting with one '/' and without spaces, was '"
                    + ApiClientService.escape(path, 200) + "'");
        }
        return path;
    }

    private static Duration requirePositive(Duration d, String field) {
        Objects.requireNonNull(d, field);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(field + " must be positive, was " + d);
        }
        return d;
    }

    private static Duration requireNotNegative(Duration d, String field) {
        Objects.requireNonNull(d, field);
        if (d.isNegative()) {
            throw new IllegalArgumentException(field + " must not be negative, was " + d);
        }
        return d;
    }
}
