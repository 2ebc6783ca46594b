package dev.flowgentic4j.examples;

import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.patterns.DatabasePool;
import dev.flowgentic4j.patterns.DatabaseSettings;
import dev.flowgentic4j.patterns.EmbeddedDatabase;
import dev.flowgentic4j.patterns.Options;
import dev.flowgentic4j.patterns.PatternServices;
import dev.flowgentic4j.testkit.Probes;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeoutException;

/**
 * Pattern 1, "Database Connection Pool": a SERVICE_TASK opens one HikariCP pool over PostgreSQL;
 * the seed's two queries ({@code SELECT * FROM users}, {@code SELECT * FROM products}) run through
 * it; cancelling the handle closes the pool, and PostgreSQL then lists none of its connections.
 *
 * <p>With no JDBC URL ({@code --jdbc-url=...} or {@value DatabaseSettings#URL_VARIABLE}) it first
 * starts an embedded PostgreSQL as a service of its own, and stops it at the end (its port then
 * refuses). Other options: {@code --db-user}, {@code --pool-min}, {@code --pool-max}, {@code --schema}.
 */
public final class DatabasePoolExample {
    private static final Duration READY = Duration.ofSeconds(60);

    /** One row of {@code users}. */
    public record User(int id, String name, String email) {}

    /** One row of {@code products}. */
    public record Product(int id, String name, double price) {}

    /** What the example saw, for tests. */
    public record Report(List<User> users, List<Product> products, boolean samePool, int poolConnectionsWhileRunning,
                         int serverConnectionsAfterCancel, OptionalInt embeddedPort, boolean embeddedPortRefuses) {}

    private DatabasePoolExample() {}

    public static void main(String[] args) {
        Unreachable.exitOnFailure("DatabasePoolExample", () -> run(System.out, DatabaseSettings.from(Options.of(System.getenv(), args))));
    }

    /** Runs the pattern against {@code settings}, printing to {@code out}. */
    public static Report run(PrintStream out, DatabaseSettings settings) throws TimeoutException, SQLException {
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            out.println("Database pool over " + settings.describeTarget() + ", pool " + settings.minIdle() + ".."
                    + settings.maxPoolSize());
            PatternServices.Database database =
                    PatternServices.startDatabase(integration.executionWrappers(), settings, READY);
            database.embedded().ifPresent(e -> out.println("  embedded PostgreSQL started in "
                    + e.startupDuration().orElseThrow().toMillis() + " ms on port " + e.join().port()));

            DatabasePool pool = database.pool().awaitRunning(READY);     // the live pool
            out.println("  pool started in " + database.pool().startupDuration().orElseThrow().toMillis() + " ms");
            seed(pool);

            // all queries use the same pool: each call borrows a connection and gives it back
            List<User> users = database.pool().call(READY, p -> p.query("SELECT * FROM users ORDER BY id",
                    row -> new User(row.getInt("id"), row.getString("name"), row.getString("email"))));
            List<Product> products = database.pool().call(READY, p -> p.query("SELECT * FROM products ORDER BY id",
                    row -> new Product(row.getInt("id"), row.getString("name"), row.getDouble("price"))));
            boolean samePool = database.pool().join() == pool;
            int open = pool.openConnections();
            out.println("  users:    " + users);
            out.println("  products: " + products);
            out.println("  both queries through pool " + pool + " (" + open + " connections open)");

            // cleanup: cancelling the handle closes the pool
            DatabaseSettings target = pool.settings();
            database.pool().cancel(true);
            Probes.eventually(Duration.ofSeconds(5), () -> serverConnections(target) == 0);
            int remaining = serverConnections(target);
            out.println("  pool " + database.pool().state() + "; PostgreSQL lists " + remaining
                    + " connections of " + target.applicationName());

            OptionalInt port = OptionalInt.empty();
            boolean refuses = false;
            if (database.embedded().isPresent()) {
                EmbeddedDatabase server = database.embedded().get().join();
                port = OptionalInt.of(server.port());
                database.embedded().get().cancel(true);
                refuses = Probes.portRefuses(server.port());
                out.println("  embedded PostgreSQL " + database.embedded().get().state() + "; port " + server.port()
                        + (refuses ? " refuses connections" : " STILL OPEN"));
            }
            return new Report(users, products, samePool, open, remaining, port, refuses);
        }
    }

    private static int serverConnections(DatabaseSettings target) {
        try {
            return Probes.serverConnections(target.jdbcUrl().orElseThrow(), target.user(), target.password(),
                    target.applicationName());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list connections on " + target.describeTarget(), e);
        }
    }

    /** Creates {@code users} and {@code products} in the settings' schema and fills them (again). */
    public static void seed(DatabasePool pool) throws SQLException {
        String schema = pool.settings().schema();
        pool.update("CREATE SCHEMA IF NOT EXISTS " + schema);
        pool.update("CREATE TABLE IF NOT EXISTS users (id integer PRIMARY KEY, name text NOT NULL, email text NOT NULL)");
        pool.update("CREATE TABLE IF NOT EXISTS products (id integer PRIMARY KEY, name text NOT NULL, "
                + "price numeric(10,2) NOT NULL)");
        pool.update("TRUNCATE users, products");
        pool.update("INSERT INTO users VALUES (123, 'Ada Lovelace', 'ada@example.com'), "
                + "(124, 'Alan Turing', 'alan@example.com'), (125, 'Grace Hopper', 'grace@example.com')");
        pool.update("INSERT INTO products VALUES (1, 'Keyboard', 49.90), (2, 'Monitor', 229.00), (3, 'Mouse', 19.50)");
    }
}
