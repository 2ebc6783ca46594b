package dev.flowgentic4j.patterns;

import java.net.URI;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the API client authenticates: OAuth 2.0 client credentials (a token fetched from a token
 * endpoint, reused and renewed), a static bearer token, an API key in a header, or nothing.
 * Immutable; {@code toString()} never shows a secret.
 *
 * <pre>{@code
 * ApiCredentials oauth = ApiCredentials.clientCredentials(URI.create("https://auth.example.com/oauth2/token"),
 *         "orders-client", ApiSecret.fromEnv("ORDERS_CLIENT_SECRET"), Set.of("orders.read"));
 * ApiCredentials key = ApiCredentials.apiKey("X-Api-Key", ApiSecret.fromEnv("PRICES_API_KEY"));
 * }</pre>
 */
public sealed interface ApiCredentials {

    /**
     * OAuth 2.0 client credentials grant (RFC 6749 section 4.4) against {@code tokenEndpoint}; the
     * client authenticates with HTTP Basic ({@code client_secret_basic}) unless {@link #withFormAuthentication()}.
     */
    record ClientCredentials(URI tokenEndpoint, String clientId, ApiSecret clientSecret, Set<String> scopes,
                             boolean formAuthentication) implements ApiCredentials {
        private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

        /** @throws IllegalArgumentException if the endpoint is not absolute http(s), the id blank, or a scope malformed */
        public ClientCredentials {
            Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
            scopes = Set.copyOf(Objects.requireNonNull(scopes, "scopes"));
            ApiClientSettings.requireHttpUri(tokenEndpoint, "tokenEndpoint");
            if (clientId.isBlank()) {
                throw new IllegalArgumentException("clientId must not be blank");
            }
            for (String scope : scopes) {
                if (!SCOPE.matcher(scope).matches()) {
                    throw new IllegalArgumentException("scope must be printable ASCII without spaces or quotes, was '"
                            + ApiClientService.escape(scope, 40) + "'");
                }
            }
        }

        /** The same credentials sent as {@code client_id}/{@code client_secret} form fields ({@code client_secret_post}). */
        public ClientCredentials withFormAuthentication() {
            return new ClientCredentials(tokenEndpoint, clientId, clientSecret, scopes, true);
        }

        @Override
        public String toString() {
            return "ClientCredentials[" + tokenEndpoint + ", client " + clientId + ", scopes " + scopes + "]";
        }
    }

    /** A static token sent as {@code Authorization: Bearer ...}; it cannot be renewed. */
    record BearerToken(ApiSecret token) implements ApiCredentials {
        public BearerToken {
            Objects.requireNonNull(token, "token");
        }
    }

    /** A static key sent in the header {@code header} (for example {@code X-Api-Key}). */
    record ApiKey(String header, ApiSecret key) implements ApiCredentials {
        /** @throws IllegalArgumentException if the header name is not a valid HTTP token */
        public ApiKey {
            ApiClientSettings.requireHeaderName(header, "header");
            Objects.requireNonNull(key, "key");
        }
    }

    /** No authentication (an API that uses only a login session, or none). */
    record None() implements ApiCredentials {}

    /** @see ClientCredentials */
    static ClientCredentials clientCredentials(URI tokenEndpoint, String clientId, ApiSecret clientSecret,
                                               Set<String> scopes) {
        return new ClientCredentials(tokenEndpoint, clientId, clientSecret, scopes, false);
    }

    /** @see BearerToken */
    static BearerToken bearer(ApiSecret token) {
        return new BearerToken(token);
    }

    /** @see ApiKey */
    static ApiKey apiKey(String header, ApiSecret key) {
        return new ApiKey(header, key);
    }

    static None none() {
        return new None();
    }
}
