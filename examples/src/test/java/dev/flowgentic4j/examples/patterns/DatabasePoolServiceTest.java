package dev.flowgentic4j.examples.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.examples.DatabasePoolExample;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import java.io.OutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pattern 1 against the real PostgreSQL on 127.0.0.1:5432. */
class DatabasePoolServiceTest {
    private static final Duration READY = Duration.ofSeconds(30);
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private final DatabaseSettings settings = TestServers.localPostgres();

    @BeforeAll
    static void postgresIsUp() {
        TestServers.requirePostgres();
    }

    @AfterEach
    void dropSchema() throws SQLException {
        TestServers.dropSchema(settings);
    }

    @Test
    void seed_queries_run_through_one_pool_and_cancel_leaves_no_server_connections() throws Exception {
        DatabasePoolExample.Report report = DatabasePoolExample.run(QUIET, settings);

        assertThat(report.users()).extracting(DatabasePoolExample.User::id).containsExactly(123, 124, 125);
        assertThat(report.products()).extracting(DatabasePoolExample.Product::name)
                .containsExactly("Keyboard", "Monitor", "Mouse");
        assertThat(report.samePool()).isTrue();
        assertThat(report.poolConnectionsWhileRunning()).isPositive();
        assertThat(report.serverConnectionsAfterCancel()).isZero();
        assertThat(report.embeddedPort()).isEmpty();
    }

    @Test
    void pool_keeps_min_idle_connections_open_and_never_exceeds_max() throws Exception {
        DatabaseSettings sized = new DatabaseSettings(settings.jdbcUrl(), settings.user(), null, 3, 4,
                settings.applicationName(), settings.schema(), Duration.ofMillis(300));
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            DatabasePool pool = PatternServices.databasePool(integration.executionWrappers()).start(sized)
                    .awaitRunning(READY);

            // the readiness check opened them before RUNNING: no waiting needed on the pool's side
            assertThat(pool.openConnections()).as("connections open when the service is RUNNING").isGreaterThanOrEqualTo(3);
            assertThat(Probes.eventually(Duration.ofSeconds(10), () -> TestServers.serverConnections(sized) == 3))
                    .as("PostgreSQL lists minIdle = 3 connections of the pool").isTrue();
            List<Connection> borrowed = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    borrowed.add(pool.dataSource().getConnection());
                }
                assertThatThrownBy(() -> pool.dataSource().getConnection().close())
                        .isInstanceOf(SQLTransientConnectionException.class);
                assertThat(TestServers.serverConnections(sized)).isEqualTo(4);
            } finally {
                for (Connection c : borrowed) {
                    c.close();
                }
            }
        }
    }

    @Test
    void closing_the_integration_closes_the_pool_and_its_server_connections() throws Exception {
        ServiceFuture<DatabasePool> future;
        DatabasePool pool;
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            future = PatternServices.databasePool(integration.executionWrappers()).start(settings);
            pool = future.awaitRunning(READY);
            assertThat(pool.query("SELECT 1", row -> row.getInt(1))).containsExactly(1);
            assertThat(TestServers.serverConnections(settings)).isPositive();
        }

        assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(pool.isClosed()).isTrue();
        assertThat(Probes.eventually(Duration.ofSeconds(5), () -> TestServers.serverConnections(settings) == 0))
                .as("no connection of %s left on the server", settings.applicationName()).isTrue();
    }

    @Test
    void unreachable_server_fails_the_pool_service_with_the_url_and_no_password() throws Exception {
        DatabaseSettings nowhere = new DatabaseSettings(Optional.of("jdbc:postgresql://127.0.0.1:1/test"),
                "postgres", "s3cret", 1, 2, settings.applicationName(), settings.schema(), Duration.ofMillis(500));
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ServiceFuture<DatabasePool> future = PatternServices.databasePool(integration.executionWrappers())
                    .start(nowhere);

            assertThatThrownBy(future::join)
                    .hasMessageContaining("db_pool")
                    .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/test")
                    .satisfies(e -> assertThat(e.toString()).doesNotContain("s3cret"));
            assertThat(future.state()).isEqualTo(ServiceState.FAILED);
        }
    }

    @Test
    void settings_come_from_the_environment_and_the_command_line_wins() {
        Map<String, String> env = Map.of(DatabaseSettings.URL_VARIABLE, "jdbc:postgresql://db.example:5432/env",
                DatabaseSettings.PASSWORD_VARIABLE, "hidden", "FLOWGENTIC4J_POOL_MAX", "20");

        DatabaseSettings fromEnv = DatabaseSettings.from(Options.of(env));
        DatabaseSettings fromArgs = DatabaseSettings.from(Options.of(env,
                "--jdbc-url=jdbc:postgresql://127.0.0.1:5432/test", "--pool-min=1", "--pool-max=5"));
        DatabaseSettings none = DatabaseSettings.from(Options.none());

        assertThat(fromEnv.jdbcUrl()).contains("jdbc:postgresql://db.example:5432/env");
        assertThat(fromEnv.maxPoolSize()).isEqualTo(20);
        assertThat(fromEnv.toString()).doesNotContain("hidden");
        assertThat(fromArgs.jdbcUrl()).contains("jdbc:postgresql://127.0.0.1:5432/test");
        assertThat(fromArgs.minIdle()).isEqualTo(1);
        assertThat(fromArgs.maxPoolSize()).isEqualTo(5);
        assertThat(none.jdbcUrl()).isEmpty();
        assertThat(none.describeTarget()).isEqualTo("embedded PostgreSQL");
        assertThatThrownBy(() -> DatabaseSettings.from(Options.of(Map.of(), "--pool-min=9", "--pool-max=3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minIdle");
    }
}
