package dev.flowgentic4j.examples.patterns;

import static org.assertj.core.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * The real servers the tests use (PostgreSQL on 127.0.0.1:5432, database {@code test}, and Redis on
 * 127.0.0.1:6379; {@code .ci/run} starts them), and names unique to one test run so that parallel
 * runs do not collide. A missing server fails the test with a message saying so; nothing is skipped.
 */
public final class TestServers {
    public static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String POSTGRES_USER = "postgres";
    public static final String REDIS_URL = "redis://127.0.0.1:6379";

    private TestServers() {}

    /** {@code prefix_} followed by 8 random hex digits: a valid SQL identifier, Redis client name and key part. */
    public static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toLowerCase(Locale.ROOT);
    }

    /** Pool settings for the local server, in a schema and under an application name of their own. */
    public static DatabaseSettings localPostgres() {
        String tag = unique("fg4j");
        return DatabaseSettings.defaults().withJdbcUrl(POSTGRES_URL).withUser(POSTGRES_USER).withSchema(tag)
                .withApplicationName(tag);
    }

    /** Fails clearly unless PostgreSQL answers at {@link #POSTGRES_URL}. */
    public static void requirePostgres() {
        try (Connection connection = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, null)) {
            connection.getMetaData();
        } catch (SQLException e) {
            fail("PostgreSQL is not reachable at " + POSTGRES_URL + " as " + POSTGRES_USER
                    + " (start it, for example with .ci/run): " + e.getMessage(), e);
        }
    }

    /** Fails clearly unless Redis answers at {@link #REDIS_URL}. */
    public static void requireRedis() {
        try {
            Probes.redisClientNames(REDIS_URL);
        } catch (RuntimeException e) {
            fail("Redis is not reachable at " + REDIS_URL + " (start it, for example with .ci/run): " + e.getMessage(), e);
        }
    }

    /** Drops the settings' schema and everything in it. */
    public static void dropSchema(DatabaseSettings settings) throws SQLException {
        try (Connection connection = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, null);
             Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + settings.schema() + " CASCADE");
        }
    }

    /** Connections PostgreSQL lists for the settings' application name. */
    public static int serverConnections(DatabaseSettings settings) {
        try {
            return Probes.serverConnections(settings, settings.applicationName());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
