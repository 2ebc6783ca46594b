package dev.flowgentic4j.examples;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flowgentic4j.patterns.DatabaseSettings;
import dev.flowgentic4j.patterns.EmbeddedDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;

/**
 * Where the example tests find their servers: the PostgreSQL at {@code FLOWGENTIC4J_TEST_JDBC_URL}
 * and the Redis at {@code FLOWGENTIC4J_TEST_REDIS_URL} when set ({@code .ci/run} sets both), else
 * none, and the examples start their embedded servers as they do on a fresh machine.
 */
public final class ExampleServers {
    public static final String JDBC_URL_VARIABLE = "FLOWGENTIC4J_TEST_JDBC_URL";
    public static final String REDIS_URL_VARIABLE = "FLOWGENTIC4J_TEST_REDIS_URL";

    private ExampleServers() {}

    /** {@code prefix_} and 8 random hex digits: a SQL identifier, a Redis client name, a key part. */
    public static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }

    /**
     * Settings for the configured server, in a schema and under an application name of their own;
     * with none configured, no URL (the example starts an embedded PostgreSQL), after skipping the
     * test where that cannot run.
     */
    public static DatabaseSettings database() {
        String tag = unique("fg4j");
        Optional<String> url = configured(JDBC_URL_VARIABLE);
        if (url.isPresent()) {
            return DatabaseSettings.defaults().withJdbcUrl(url.get()).withSchema(tag).withApplicationName(tag);
        }
        return embeddedDatabase();
    }

    /** No URL, so the example starts an embedded PostgreSQL; skips the test where that cannot run. */
    public static DatabaseSettings embeddedDatabase() {
        Optional<String> reason = EmbeddedDatabase.unavailableReason();
        assumeTrue(reason.isEmpty(), () -> reason.orElseThrow() + "; to run this test, run as a non-root user or "
                + "allow unprivileged user namespaces" + (configured(JDBC_URL_VARIABLE).isPresent() ? ""
                : ", or set " + JDBC_URL_VARIABLE + " to a PostgreSQL server"));
        return DatabaseSettings.defaults().withApplicationName(unique("fg4j"));
    }

    /** The configured Redis URL, if any (with none, the examples start an embedded Redis). */
    public static Optional<String> redisUrl() {
        return configured(REDIS_URL_VARIABLE);
    }

    /** Drops the settings' schema on a configured server (an embedded one is gone with its data). */
    public static void dropSchema(DatabaseSettings settings) throws SQLException {
        if (settings.jdbcUrl().isEmpty()) {
            return;
        }
        try (Connection connection = DriverManager.getConnection(settings.jdbcUrl().get(), settings.user(),
                settings.password());
             Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + settings.schema() + " CASCADE");
        }
    }

    private static Optional<String> configured(String variable) {
        return Optional.ofNullable(System.getenv(variable)).filter(v -> !v.isBlank());
    }
}
