package dev.flowgentic4j.patterns;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The database-pool service: one HikariCP pool over PostgreSQL, opened once and shared by every
 * query. Its connections carry the settings' application name, so the server can list them
 * ({@code pg_stat_activity.application_name}). Thread-safe.
 *
 * <pre>{@code
 * try (DatabasePool pool = DatabasePool.open(settings)) {
 *     List<String> names = pool.query("SELECT name FROM users", rs -> rs.getString(1));
 * }
 * }</pre>
 */
public final class DatabasePool implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final DatabaseSettings settings;

    private DatabasePool(HikariDataSource dataSource, DatabaseSettings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
    }

    /**
     * Opens the pool and one connection to prove the server is there.
     *
     * @throws IllegalArgumentException if the settings have no JDBC URL
     * @throws SQLException if the server cannot be reached (the message names the URL, never the password)
     */
    public static DatabasePool open(DatabaseSettings settings) throws SQLException {
        String url = settings.jdbcUrl().orElseThrow(() ->
                new IllegalArgumentException("DatabasePool needs a JDBC URL; start an EmbeddedDatabase for none"));
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(settings.user());
        if (settings.password() != null) {
            config.setPassword(settings.password());
        }
        config.setMinimumIdle(settings.minIdle());
        config.setMaximumPoolSize(settings.maxPoolSize());
        config.setPoolName(settings.applicationName());
        config.setConnectionTimeout(settings.connectionTimeout().toMillis());
        config.setSchema(settings.schema());
        config.addDataSourceProperty("ApplicationName", settings.applicationName());
        try {
            return new DatabasePool(new HikariDataSource(config), settings);
        } catch (RuntimeException e) {
            throw new SQLException("cannot open a pool to " + settings.describeTarget() + ": " + e.getMessage(), e);
        }
    }

    /** Reads one row of a result set. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** Work done on one borrowed connection. */
    @FunctionalInterface
    public interface ConnectionWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    /** Runs {@code sql} with {@code params} and maps every row; the connection goes back to the pool. */
    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        return withConnection(connection -> {
            try (PreparedStatement statement = prepare(connection, sql, params);
                 ResultSet rows = statement.executeQuery()) {
                List<T> result = new ArrayList<>();
                while (rows.next()) {
                    result.add(mapper.map(rows));
                }
                return result;
            }
        });
    }

    /** Runs an update or DDL statement; returns the update count. */
    public int update(String sql, Object... params) throws SQLException {
        return withConnection(connection -> {
            try (PreparedStatement statement = prepare(connection, sql, params)) {
                return statement.executeUpdate();
            }
        });
    }

    /** Borrows a connection for {@code work} and returns it to the pool afterwards. */
    public <T> T withConnection(ConnectionWork<T> work) throws SQLException {
        Objects.requireNonNull(work, "work");
        try (Connection connection = dataSource.getConnection()) {
            return work.apply(connection);
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object[] params) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            return statement;
        } catch (SQLException e) {
            statement.close();
            throw e;
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public DatabaseSettings settings() {
        return settings;
    }

    /**
     * Opens the pool's minimum idle connections and runs {@code SELECT 1} on each, so that the first
     * calls find warm connections instead of paying for them. Used as the pool service's readiness
     * check: the cold start then includes every connection the pool keeps.
     *
     * @throws SQLException if a connection cannot be opened or used
     */
    public void warmUp() throws SQLException {
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < settings.minIdle(); i++) {
                Connection connection = dataSource.getConnection();
                held.add(connection);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SELECT 1");
                }
            }
        } finally {
            for (Connection connection : held) {
                connection.close();
            }
        }
    }

    /**
     * Runs {@code SELECT 1} on a borrowed connection; the pool service's health check.
     *
     * @throws SQLException if no connection can be borrowed or the query fails
     */
    public void checkHealth() throws SQLException {
        withConnection(connection -> {
            try (Statement statement = connection.createStatement()) {
                return statement.execute("SELECT 1");
            }
        });
    }

    /** Connections open right now (idle and in use), as the pool counts them. */
    public int openConnections() {
        return dataSource.getHikariPoolMXBean().getTotalConnections();
    }

    public boolean isClosed() {
        return dataSource.isClosed();
    }

    /** Closes every connection and the pool. Idempotent. */
    @Override
    public void close() {
        dataSource.close();
    }

    @Override
    public String toString() {
        return "DatabasePool[" + settings.describeTarget() + ", " + settings.applicationName()
                + (isClosed() ? ", closed" : "") + "]";
    }
}
