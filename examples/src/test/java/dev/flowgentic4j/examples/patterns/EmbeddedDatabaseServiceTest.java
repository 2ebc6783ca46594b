package dev.flowgentic4j.examples.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.examples.DatabasePoolExample;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Pattern 1 on the embedded PostgreSQL: what runs on a fresh machine with no URL configured. */
class EmbeddedDatabaseServiceTest {
    private static final Duration READY = Duration.ofSeconds(60);

    @Test
    void without_a_url_the_example_runs_on_embedded_postgresql_and_stops_it() throws Exception {
        DatabaseSettings settings = DatabaseSettings.defaults().withApplicationName(TestServers.unique("fg4j"));

        DatabasePoolExample.Report report =
                DatabasePoolExample.run(new PrintStream(OutputStream.nullOutputStream()), settings);

        assertThat(report.users()).extracting(DatabasePoolExample.User::name).contains("Ada Lovelace");
        assertThat(report.products()).hasSize(3);
        assertThat(report.serverConnectionsAfterCancel()).isZero();
        assertThat(report.embeddedPort()).isPresent();
        assertThat(report.embeddedPortRefuses()).as("embedded server's port refuses after cancel").isTrue();
    }

    @Test
    void closing_the_integration_stops_the_pool_and_the_embedded_server() throws Exception {
        ServiceFuture<EmbeddedDatabase> server;
        PatternServices.Database database;
        EmbeddedDatabase instance;
        int port;
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            database = PatternServices.startDatabase(integration.executionWrappers(), DatabaseSettings.defaults(), READY);
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
