package dev.flowgentic4j.patterns;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the database pool connects: the JDBC URL (absent means "start an embedded PostgreSQL"), the
 * user and password, pool sizes (the seed's {@code min_size}/{@code max_size}), the application
 * name the server shows for the pool's connections, and the schema its queries use. Immutable; the
 * password never appears in {@link #toString()}.
 *
 * <pre>{@code
 * DatabaseSettings settings = DatabaseSettings.from(Options.of(System.getenv(), args))
 *     .withPoolSize(2, 10);
 * }</pre>
 *
 * @param jdbcUrl the server to use; empty to start an embedded PostgreSQL
 * @param minIdle connections the pool keeps open when idle (the seed's {@code min_size})
 * @param maxPoolSize the most connections the pool opens (the seed's {@code max_size})
 */
public record DatabaseSettings(Optional<String> jdbcUrl, String user, String password, int minIdle,
                               int maxPoolSize, String applicationName, String schema, Duration connectionTimeout) {
    public static final String URL_VARIABLE = "FLOWGENTIC4J_JDBC_URL";
    public static final String USER_VARIABLE = "FLOWGENTIC4J_DB_USER";
    public static final String PASSWORD_VARIABLE = "FLOWGENTIC4J_DB_PASSWORD";
    public static final String DEFAULT_USER = "postgres";
    public static final int DEFAULT_MIN_IDLE = 2;
    public static final int DEFAULT_MAX_POOL_SIZE = 10;
    public static final String DEFAULT_APPLICATION_NAME = "flowgentic4j-pool";
    public static final String DEFAULT_SCHEMA = "public";
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    /** @throws IllegalArgumentException if a size is out of range or {@code minIdle > maxPoolSize} */
    public DatabaseSettings {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(applicationName, "applicationName");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        if (minIdle < 0) {
            throw new IllegalArgumentException("minIdle must be >= 0, was " + minIdle);
        }
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be >= 1, was " + maxPoolSize);
        }
        if (minIdle > maxPoolSize) {
            throw new IllegalArgumentException("minIdle (" + minIdle + ") must not exceed maxPoolSize (" + maxPoolSize + ")");
        }
        if (!schema.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("schema must be a plain SQL identifier, was '" + schema + "'");
        }
    }

    /** No URL (embedded PostgreSQL), user {@code postgres}, pool 2..10. */
    public static DatabaseSettings defaults() {
        return new DatabaseSettings(Optional.empty(), DEFAULT_USER, null, DEFAULT_MIN_IDLE, DEFAULT_MAX_POOL_SIZE,
                DEFAULT_APPLICATION_NAME, DEFAULT_SCHEMA, DEFAULT_CONNECTION_TIMEOUT);
    }

    /**
     * Reads {@code --jdbc-url} / {@value #URL_VARIABLE}, {@code --db-user} / {@value #USER_VARIABLE},
     * {@value #PASSWORD_VARIABLE} (environment only), {@code --pool-min}, {@code --pool-max} and
     * {@code --schema}.
     */
    public static DatabaseSettings from(Options options) {
        DatabaseSettings d = defaults();
        return new DatabaseSettings(options.value("jdbc-url", URL_VARIABLE),
                options.value("db-user", USER_VARIABLE).orElse(d.user),
                options.environmentValue(PASSWORD_VARIABLE).orElse(null),
                options.intValue("pool-min", "FLOWGENTIC4J_POOL_MIN", d.minIdle),
                options.intValue("pool-max", "FLOWGENTIC4J_POOL_MAX", d.maxPoolSize),
                d.applicationName, options.value("schema", null).orElse(d.schema), d.connectionTimeout);
    }

    public DatabaseSettings withJdbcUrl(String url) {
        return new DatabaseSettings(Optional.of(url), user, password, minIdle, maxPoolSize, applicationName, schema,
                connectionTimeout);
    }

    public DatabaseSettings withUser(String newUser) {
        return new DatabaseSettings(jdbcUrl, newUser, password, minIdle, maxPoolSize, applicationName, schema,
                connectionTimeout);
    }

    public DatabaseSettings withPoolSize(int min, int max) {
        return new DatabaseSettings(jdbcUrl, user, password, min, max, applicationName, schema, connectionTimeout);
    }

    public DatabaseSettings withApplicationName(String name) {
        return new DatabaseSettings(jdbcUrl, user, password, minIdle, maxPoolSize, name, schema, connectionTimeout);
    }

    public DatabaseSettings withSchema(String newSchema) {
        return new DatabaseSettings(jdbcUrl, user, password, minIdle, maxPoolSize, applicationName, newSchema,
                connectionTimeout);
    }

    /** The URL without any password given in it. */
    public String describeTarget() {
        return jdbcUrl.map(url -> url.replaceAll("(?i)(password=)[^&;]*", "$1***")).orElse("embedded PostgreSQL");
    }

    @Override
    public String toString() {
        return "DatabaseSettings[" + describeTarget() + ", user=" + user + (password == null ? "" : ", password=***")
                + ", pool=" + minIdle + ".." + maxPoolSize + ", applicationName=" + applicationName + ", schema="
                + schema + "]";
    }
}
