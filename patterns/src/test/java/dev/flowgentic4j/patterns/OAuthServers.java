package dev.flowgentic4j.patterns;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real servers of the API client tests: Spring Authorization Server (Spring Boot, Tomcat on
 * 127.0.0.1) issuing RS256 JWTs that live {@link #TOKEN_LIFETIME} to the client {@link #CLIENT_ID},
 * and a protected API on the JDK HTTP server (our own {@link HttpServerService}) that verifies each
 * token with nimbus-jose-jwt against the authorization server's JWK set (signature, expiry, scope).
 * Started once per test class; {@link #close()} stops both.
 */
final class OAuthServers implements AutoCloseable {
    static final String CLIENT_ID = "orders-client";
    /** Made up per JVM, so that grepping for it finds only a leak. */
    static final String CLIENT_SECRET = "cs-" + UUID.randomUUID();
    static final String LOGIN_PASSWORD = "pw-" + UUID.randomUUID();
    static final Duration TOKEN_LIFETIME = Duration.ofSeconds(2);
    /** A second registered client whose tokens live five minutes (for tests about reuse, not renewal). */
    static final String LONG_CLIENT_ID = "ledger-client";
    static final String LONG_CLIENT_SECRET = "ls-" + UUID.randomUUID();

    @SpringBootConfiguration
    @EnableAutoConfiguration(excludeName = {
            "org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration"})
    static class AuthorizationServerApp {}

    private final ConfigurableApplicationContext spring;
    private final URI tokenEndpoint;
    private final HttpServerService api;
    private final RSASSAVerifier verifier;
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final Set<String> seenTokenIds = ConcurrentHashMap.newKeySet();
    /** Every bearer token and session value the servers handed out or received: what must never leak. */
    final Set<String> secretsSeen = ConcurrentHashMap.newKeySet();
    private final Map<String, String> sessions = new ConcurrentHashMap<>();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    private volatile boolean refuseLogins;

    OAuthServers() throws Exception {
        // Spring Boot must not re-initialise logback (it would truncate target/tests.log)
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        String prefix = "spring.security.oauth2.authorizationserver.client.orders.";
        Map<String, Object> props = new HashMap<>();
        props.put("server.address", "127.0.0.1");
        props.put("server.port", "0");
        props.put("spring.main.banner-mode", "off");
        props.put("spring.jmx.enabled", "false");
        props.put(prefix + "registration.client-id", CLIENT_ID);
        props.put(prefix + "registration.client-secret", "{noop}" + CLIENT_SECRET);
        props.put(prefix + "registration.client-authentication-methods", "client_secret_basic,client_secret_post");
        props.put(prefix + "registration.authorization-grant-types", "client_credentials");
        props.put(prefix + "registration.scopes", "orders.read,orders.write");
        props.put(prefix + "token.access-token-time-to-live", TOKEN_LIFETIME.toSeconds() + "s");
        String ledger = "spring.security.oauth2.authorizationserver.client.ledger.";
        props.put(ledger + "registration.client-id", LONG_CLIENT_ID);
        props.put(ledger + "registration.client-secret", "{noop}" + LONG_CLIENT_SECRET);
        props.put(ledger + "registration.client-authentication-methods", "client_secret_basic");
        props.put(ledger + "registration.authorization-grant-types", "client_credentials");
        props.put(ledger + "registration.scopes", "orders.read");
        props.put(ledger + "token.access-token-time-to-live", "5m");
        // Tomcat logs through java.util.logging: into SLF4J (target/tests.log), not onto the console
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        spring = new SpringApplicationBuilder(AuthorizationServerApp.class).properties(props).run();
        int port = Integer.parseInt(spring.getEnvironment().getProperty("local.server.port"));
        URI issuer = URI.create("http://127.0.0.1:" + port);
        tokenEndpoint = issuer.resolve("/oauth2/token");
        JWKSet keys = JWKSet.load(new URL(issuer.resolve("/oauth2/jwks").toString()));
        verifier = new RSASSAVerifier((RSAKey) keys.getKeys().get(0));
        api = HttpServerService.start(HttpServerSettings.defaults().withThreads(8), Map.of(
                "/orders", protectedRoute("orders.read", ex -> HttpServerService.respond(ex, 200,
                        "[{\"id\":1,\"sku\":\"ACME\",\"qty\":3}]")),
                "/login", this::login,
                "/session", this::session));
    }

    URI tokenEndpoint() {
        return tokenEndpoint;
    }

    URI apiUri() {
        return api.uri();
    }

    /** The client credentials of the registered client, with {@code scopes}. */
    ApiCredentials.ClientCredentials credentials(String... scopes) {
        return ApiCredentials.clientCredentials(tokenEndpoint, CLIENT_ID, ApiSecret.of(CLIENT_SECRET), Set.of(scopes));
    }

    /** The long-lived client's credentials. */
    ApiCredentials.ClientCredentials longLivedCredentials() {
        return ApiCredentials.clientCredentials(tokenEndpoint, LONG_CLIENT_ID, ApiSecret.of(LONG_CLIENT_SECRET), Set.of("orders.read"));
    }

    /** Makes the API refuse every token it has accepted so far (as after a revocation): a 401 on unexpired tokens. */
    void revokeTokensSeen() {
        revoked.addAll(seenTokenIds);
    }

    void refuseLogins(boolean refuse) {
        refuseLogins = refuse;
    }

    /** Forgets every login session (as a server does when sessions time out): the next call is refused. */
    void expireSessions() {
        sessions.clear();
    }

    /** Distinct tokens (by {@code jti}) the API has seen. */
    int distinctTokensSeen() {
        return seenTokenIds.size();
    }

    private HttpHandler protectedRoute(String scope, HttpHandler inner) {
        return exchange -> {
            String why = verify(exchange.getRequestHeaders().getFirst("Authorization"), scope);
            if (why != null) {
                refused.incrementAndGet();
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                HttpServerService.respond(exchange, 401, "{\"error\":\"invalid_token\",\"reason\":\"" + why + "\"}");
                return;
            }
            accepted.incrementAndGet();
            inner.handle(exchange);
        };
    }

    /** Null if the bearer token is valid for {@code scope}, else why not. */
    private String verify(String authorization, String scope) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return "no bearer token";
        }
        secretsSeen.add(authorization.substring(7));
        try {
            SignedJWT jwt = SignedJWT.parse(authorization.substring(7));
            if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return "bad signature";
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (claims.getExpirationTime() == null || claims.getExpirationTime().getTime() <= System.currentTimeMillis()) {
                return "expired";
            }
            if (!CLIENT_ID.equals(claims.getSubject()) && !LONG_CLIENT_ID.equals(claims.getSubject())) {
                return "wrong subject";
            }
            Object scopes = claims.getClaim("scope");
            if (!(scopes instanceof List<?> list && list.contains(scope))) {
                return "missing scope " + scope;
            }
            String id = claims.getJWTID() != null ? claims.getJWTID() : claims.getIssueTime() + "/" + jwt.getSignature();
            if (revoked.contains(id)) {
                return "revoked";
            }
            seenTokenIds.add(id);
            return null;
        } catch (Exception e) {
            return "unreadable token";
        }
    }

    /** {@code POST /login} with the right password: a session cookie and a session id in the JSON answer. */
    private void login(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readNBytes(4096), StandardCharsets.UTF_8);
        if (refuseLogins || !body.contains(LOGIN_PASSWORD)) {
            HttpServerService.respond(exchange, 401, "{\"error\":\"bad login\"}");
            return;
        }
        String cookie = "ck-" + UUID.randomUUID();
        String session = "sid-" + UUID.randomUUID();
        sessions.put(session, cookie);
        secretsSeen.add(cookie);
        secretsSeen.add(session);
        exchange.getResponseHeaders().add("Set-Cookie", "DESK=" + cookie + "; Path=/; HttpOnly");
        HttpServerService.respond(exchange, 200, "{\"sessionId\":\"" + session + "\",\"user\":\"desk\"}");
    }

    /** {@code GET /session}: 200 only with the session id header and the cookie the login set for it. */
    private void session(HttpExchange exchange) throws IOException {
        String session = exchange.getRequestHeaders().getFirst("X-Session-Id");
        String cookies = String.valueOf(exchange.getRequestHeaders().get("Cookie"));
        String cookie = session == null ? null : sessions.get(session);
        if (cookie == null || !cookies.contains("DESK=" + cookie)) {
            HttpServerService.respond(exchange, 401, "{\"error\":\"no session\"}");
            return;
        }
        HttpServerService.respond(exchange, 200, "{\"user\":\"desk\"}");
    }

    @Override
    public void close() {
        api.close();
        spring.close();
    }
}
