package dev.flowgentic4j.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.testkit.Probes;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pattern 1 on the embedded PostgreSQL, whatever server the other tests use: what runs on a fresh
 * machine with no URL configured, so CI covers it as well as the configured server.
 */
class EmbeddedDatabaseServiceTest {
    private static final Duration READY = Duration.ofSeconds(60);

    @BeforeEach
    void embeddedPostgresCanRunHere() {
        TestServers.assumeEmbeddedPostgresRuns();
    }

    @Test
    void closing_the_engine_stops_the_pool_and_the_embedded_server_and_deletes_its_data() throws Exception {
        ServiceFuture<EmbeddedDatabase> server;
        PatternServices.Database database;
        EmbeddedDatabase instance;
        int port;
        DatabaseSettings settings = DatabaseSettings.defaults().withApplicationName(TestServers.unique("fg4j"));
        try (FlowEngine engine = FlowEngine.create()) {
            database = PatternServices.startDatabase(engine, settings, READY);
            server = database.embedded().orElseThrow();
            instance = server.join();
            port = instance.port();
            assertThat(database.pool().awaitRunning(READY).query("SELECT 1", row -> row.getInt(1))).containsExactly(1);
            assertThat(Probes.portRefuses(port)).isFalse();
        }

        assertThat(database.pool().state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(server.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(instance.isClosed()).isTrue();
        assertThat(Probes.portRefuses(port)).as("port %d refuses after close", port).isTrue();
    }
}
