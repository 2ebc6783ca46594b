package dev.flowgentic4j.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.testkit.Probes;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pattern 1 against a real PostgreSQL: the configured one, else an embedded one ({@link TestServers}). */
class DatabasePoolServiceTest {
    private static final Duration READY = Duration.ofSeconds(60);

    private DatabaseSettings settings;

    @BeforeEach
    void serverSettings() {
        settings = TestServers.postgres();
    }

    @AfterEach
    void dropSchema() throws SQLException {
        if (settings != null) {
            TestServers.dropSchema(settings);
        }
    }

    @Test
    void queries_run_through_one_pool_and_cancel_leaves_no_server_connections() throws Exception {
        try (FlowEngine engine = FlowEngine.create()) {
            ServiceFuture<DatabasePool> future = engine.serviceTask(PatternServices.databasePool())
                    .start(settings);
            DatabasePool pool = future.awaitRunning(READY);
            future.call(READY, p -> p.update("CREATE SCHEMA IF NOT EXISTS " + settings.schema()));
            future.call(READY, p -> p.update("CREATE TABLE users (id integer PRIMARY KEY, name text)"));
            future.call(READY, p -> p.update("INSERT INTO users VALUES (123, 'Ada'), (124, 'Alan')"));

            List<Integer> ids = future.call(READY, p -> p.query("SELECT id FROM users ORDER BY id", row -> row.getInt(1)));
            List<String> names = future.call(READY, p -> p.query("SELECT name FROM users WHERE id = ?",
                    row -> row.getString(1), 124));

            assertThat(ids).containsExactly(123, 124);
            assertThat(names).containsExactly("Alan");
            assertThat(future.join()).isSameAs(pool);
            assertThat(engine.services()).filteredOn(s -> s.name().equals(PatternServices.DATABASE_POOL)).hasSize(1);
            assertThat(TestServers.serverConnections(settings)).isPositive();

            future.cancel(true);

            assertThat(pool.isClosed()).isTrue();
            assertThat(Probes.eventually(Duration.ofSeconds(5), () -> TestServers.serverConnections(settings) == 0))
                    .as("no connection of %s left on the server", settings.applicationName()).isTrue();
        }
    }

    @Test
    void health_check_runs_select_1_on_a_live_pool_and_fails_on_a_closed_one() throws Exception {
        DatabasePool pool = DatabasePool.open(settings.withPoolSize(1, 1));
        try {
            pool.checkHealth();
        } finally {
            pool.close();
        }
        assertThatThrownBy(pool::checkHealth).isInstanceOf(SQLException.class);
    }

    @Test
    void pool_keeps_min_idle_connections_open_and_never_exceeds_max() throws Exception {
        DatabaseSettings sized = new DatabaseSettings(settings.jdbcUrl(), settings.user(), null, 3, 4,
                settings.applicationName(), settings.schema(), Duration.ofMillis(300));
        try (FlowEngine engine = FlowEngine.create()) {
            DatabasePool pool = engine.serviceTask(PatternServices.databasePool()).start(sized)
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
    void closing_the_engine_closes_the_pool_and_its_server_connections() throws Exception {
        ServiceFuture<DatabasePool> future;
        DatabasePool pool;
        try (FlowEngine engine = FlowEngine.create()) {
            future = engine.serviceTask(PatternServices.databasePool()).start(settings);
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
        try (FlowEngine engine = FlowEngine.create()) {
            ServiceFuture<DatabasePool> future = engine.serviceTask(PatternServices.databasePool())
                    .start(nowhere);

            assertThatThrownBy(future::join)
                    .hasMessageContaining("db_pool")
                    .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/test")
                    .satisfies(e -> assertThat(e.toString()).doesNotContain("s3cret"));
            assertThat(future.state()).isEqualTo(ServiceState.FAILED);
        }
    }
}
