package dev.flowgentic4j.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Looks at a resource from the outside, to show that a service really released it: whether a port
 * still accepts connections, how many connections a PostgreSQL server lists for an application
 * name; and waits (with Awaitility) until such a look shows what it should. Each probe opens and
 * closes its own connection. Thread-safe.
 *
 * <pre>{@code
 * future.cancel(true);
 * assertThat(Probes.eventually(Duration.ofSeconds(5), () -> Probes.portRefuses(port))).isTrue();
 * }</pre>
 */
public final class Probes {
    /** The application name of the probe's own PostgreSQL connection. */
    public static final String PROBE_APPLICATION_NAME = "flowgentic4j-probe";

    private Probes() {}

    /**
     * Whether {@code condition} holds within {@code timeout}, checked by Awaitility every 20 ms
     * (a resource a client let go is seen released by its server a moment later). An exception
     * thrown by the condition propagates.
     *
     * @throws NullPointerException if an argument is null
     */
    public static boolean eventually(Duration timeout, BooleanSupplier condition) {
        Objects.requireNonNull(condition, "condition");
        try {
            Awaitility.await()
                    .pollInSameThread()     // no extra thread that a thread or leak check would count
                    .atMost(Objects.requireNonNull(timeout, "timeout"))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20))
                    .until(condition::getAsBoolean);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /** Whether nothing accepts TCP connections on 127.0.0.1:{@code port}. */
    public static boolean portRefuses(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            // a free port in the ephemeral range can be handed to this very socket, which then
            // "connects" to itself (TCP simultaneous open): nobody else accepted it
            return socket.getLocalPort() == port;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Connections the PostgreSQL server at {@code jdbcUrl} lists ({@code pg_stat_activity}) for the
     * application name {@code applicationName}, counted over a connection of the probe's own. Needs
     * the PostgreSQL JDBC driver on the class path.
     *
     * @param password null when the server needs none
     * @throws SQLException if the server cannot be reached or queried
     */
    public static int serverConnections(String jdbcUrl, String user, String password, String applicationName)
            throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", Objects.requireNonNull(user, "user"));
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", PROBE_APPLICATION_NAME);
        try (Connection connection = DriverManager.getConnection(Objects.requireNonNull(jdbcUrl, "jdbcUrl"), properties);
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            statement.setString(1, Objects.requireNonNull(applicationName, "applicationName"));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
