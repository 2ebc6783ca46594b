package dev.flowgentic4j.examples.patterns;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.time.Duration;

/**
 * Looks at a resource from the outside, to show that a service really released it: whether a port
 * still accepts connections, how many connections PostgreSQL lists for an application name, which
 * client names Redis lists. Each probe opens and closes its own connection.
 */
public final class Probes {
    /** The application name of the probe's own PostgreSQL connection. */
    public static final String PROBE_APPLICATION_NAME = "flowgentic4j-probe";

    private Probes() {}

    /**
     * Polls {@code condition} every 20 ms until it holds or {@code timeout} passes; returns its last value.
     * Releasing a resource is seen by its server a moment after the client let go.
     */
    public static boolean eventually(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return condition.getAsBoolean();
            }
        }
        return true;
    }

    /** Whether nothing accepts TCP connections on 127.0.0.1:{@code port}. */
    public static boolean portRefuses(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Connections the PostgreSQL server at {@code settings}' URL lists ({@code pg_stat_activity}) for
     * the application name {@code applicationName}, counted over a connection of the probe's own.
     */
    public static int serverConnections(DatabaseSettings settings, String applicationName) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", settings.user());
        if (settings.password() != null) {
            properties.setProperty("password", settings.password());
        }
        properties.setProperty("ApplicationName", PROBE_APPLICATION_NAME);
        try (Connection connection = DriverManager.getConnection(settings.jdbcUrl().orElseThrow(), properties);
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            statement.setString(1, applicationName);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    /** The client names Redis at {@code url} lists in {@code CLIENT LIST} (unnamed clients omitted). */
    public static List<String> redisClientNames(String url) {
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return Arrays.stream(connection.sync().clientList().split("\n"))
                    .flatMap(line -> Arrays.stream(line.trim().split(" ")))
                    .filter(field -> field.startsWith("name=") && field.length() > 5)
                    .map(field -> field.substring(5))
                    .toList();
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
