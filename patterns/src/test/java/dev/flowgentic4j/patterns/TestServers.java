package dev.flowgentic4j.patterns;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flowgentic4j.testkit.Probes;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The servers the tests use. PostgreSQL: the one at {@value #JDBC_URL_VARIABLE} (user
 * {@code postgres}, no password) if that is set, else one embedded PostgreSQL started for the test
 * JVM. Redis: the one at {@value #REDIS_URL_VARIABLE} if set, else one embedded Redis for the test
 * JVM. {@code .ci/run} sets both to the local servers; with neither set the suite needs only a JDK.
 * Names are unique to one test run so that parallel runs on one server do not collide.
 */
public final class TestServers {
    public static final String JDBC_URL_VARIABLE = "FLOWGENTIC4J_TEST_JDBC_URL";
    public static final String REDIS_URL_VARIABLE = "FLOWGENTIC4J_TEST_REDIS_URL";
    public static final String POSTGRES_USER = "postgres";

    private static EmbeddedDatabase embeddedPostgres;
    private static EmbeddedRedis embeddedRedis;

    private TestServers() {}

    /** {@code prefix_} followed by 8 random hex digits: a valid SQL identifier, Redis client name and key part. */
    public static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toLowerCase(Locale.ROOT);
    }

    /** The configured PostgreSQL URL, if any. */
    public static Optional<String> configuredJdbcUrl() {
        return Optional.ofNullable(System.getenv(JDBC_URL_VARIABLE)).filter(v -> !v.isBlank());
    }

    /**
     * The test PostgreSQL's URL: the configured one, else the shared embedded server's (started on
     * first use). Skips the calling test, saying why and how to enable it, where an embedded
     * PostgreSQL cannot run (as root without user namespaces).
     */
    public static String jdbcUrl() {
        return configuredJdbcUrl().orElseGet(() -> sharedPostgres().jdbcUrl());
    }

    /** Pool settings for the test PostgreSQL, in a schema and under an application name of their own. */
    public static DatabaseSettings postgres() {
        String tag = unique("fg4j");
        return DatabaseSettings.defaults().withJdbcUrl(jdbcUrl()).withUser(POSTGRES_USER).withSchema(tag)
                .withApplicationName(tag);
    }

    /** Skips the calling test where an embedded PostgreSQL cannot run, saying why and how to enable it. */
    public static void assumeEmbeddedPostgresRuns() {
        Optional<String> reason = EmbeddedDatabase.unavailableReason();
        assumeTrue(reason.isEmpty(), () -> reason.orElseThrow() + "; to run this test, run as a non-root user or "
                + "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)"
                + (configuredJdbcUrl().isPresent() ? "" : ", or set " + JDBC_URL_VARIABLE + " to a PostgreSQL server"));
    }

    private static synchronized EmbeddedDatabase sharedPostgres() {
        if (embeddedPostgres == null) {
            assumeEmbeddedPostgresRuns();
            try {
                embeddedPostgres = EmbeddedDatabase.start();
            } catch (IOException e) {
                throw new IllegalStateException("embedded PostgreSQL did not start (set " + JDBC_URL_VARIABLE
                        + " to use a running server instead)", e);
            }
            EmbeddedDatabase started = embeddedPostgres;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-test-postgres"));
        }
        return embeddedPostgres;
    }

    /** The test Redis's URL: the configured one, else the shared embedded server's (started on first use). */
    public static String redisUrl() {
        return Optional.ofNullable(System.getenv(REDIS_URL_VARIABLE)).filter(v -> !v.isBlank())
                .orElseGet(() -> sharedRedis().url());
    }

    private static synchronized EmbeddedRedis sharedRedis() {
        if (embeddedRedis == null) {
            try {
                embeddedRedis = EmbeddedRedis.start();
            } catch (IOException e) {
                throw new IllegalStateException("embedded Redis did not start (set " + REDIS_URL_VARIABLE
                        + " to use a running server instead)", e);
            }
            EmbeddedRedis started = embeddedRedis;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-test-redis"));
        }
        return embeddedRedis;
    }

    /** Drops the settings' schema and everything in it. */
    public static void dropSchema(DatabaseSettings settings) throws SQLException {
        try (Connection connection = DriverManager.getConnection(settings.jdbcUrl().orElseThrow(), settings.user(), null);
             Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + settings.schema() + " CASCADE");
        }
    }

    /** Connections PostgreSQL lists for the settings' application name. */
    public static int serverConnections(DatabaseSettings settings) {
        try {
            return Probes.serverConnections(settings.jdbcUrl().orElseThrow(), settings.user(), settings.password(),
                    settings.applicationName());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The client names Redis at {@code url} lists, seen over a connection of the probe's own. */
    public static List<String> redisClientNames(String url) {
        try (RedisCache probe = RedisCache.connect(RedisSettings.of(url).withClientName(Probes.PROBE_APPLICATION_NAME))) {
            return probe.clientNames();
        } catch (RedisCache.RedisUnavailableException e) {
            throw new IllegalStateException(e);
        }
    }
}
