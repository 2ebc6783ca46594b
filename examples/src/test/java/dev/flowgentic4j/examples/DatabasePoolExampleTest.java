package dev.flowgentic4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.flowgentic4j.patterns.DatabaseSettings;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The database-pool example on a configured server or its embedded one, and without a server. */
class DatabasePoolExampleTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void seed_queries_run_through_one_pool_and_cancel_leaves_no_server_connections() throws Exception {
        DatabaseSettings settings = ExampleServers.database();
        try {
            DatabasePoolExample.Report report = DatabasePoolExample.run(QUIET, settings);

            assertThat(report.users()).extracting(DatabasePoolExample.User::id).containsExactly(123, 124, 125);
            assertThat(report.products()).extracting(DatabasePoolExample.Product::name)
                    .containsExactly("Keyboard", "Monitor", "Mouse");
            assertThat(report.samePool()).isTrue();
            assertThat(report.poolConnectionsWhileRunning()).isPositive();
            assertThat(report.serverConnectionsAfterCancel()).isZero();
            assertThat(report.embeddedPort().isPresent()).isEqualTo(settings.jdbcUrl().isEmpty());
        } finally {
            ExampleServers.dropSchema(settings);
        }
    }

    @Test
    void without_a_url_it_runs_on_embedded_postgresql_and_stops_it() throws Exception {
        DatabasePoolExample.Report report = DatabasePoolExample.run(QUIET, ExampleServers.embeddedDatabase());

        assertThat(report.users()).extracting(DatabasePoolExample.User::name).contains("Ada Lovelace");
        assertThat(report.serverConnectionsAfterCancel()).isZero();
        assertThat(report.embeddedPort()).isPresent();
        assertThat(report.embeddedPortRefuses()).as("embedded server's port refuses after cancel").isTrue();
    }

    @Test
    void an_unreachable_server_is_explained_in_one_paragraph_with_the_option_the_variable_and_how_to_start_one() {
        DatabaseSettings nowhere = new DatabaseSettings(Optional.of("jdbc:postgresql://127.0.0.1:1/test"),
                "postgres", "s3cret", 1, 2, "fg4j-nowhere", "public", Duration.ofMillis(500));
        Throwable failure = catchThrowable(() -> DatabasePoolExample.run(QUIET, nowhere));
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = Unreachable.report("DatabasePoolExample", failure, new PrintStream(err, true, StandardCharsets.UTF_8));

        String paragraph = err.toString(StandardCharsets.UTF_8);
        assertThat(status).isEqualTo(Unreachable.SERVER_UNREACHABLE);
        assertThat(paragraph.strip().lines()).hasSize(1);
        assertThat(paragraph).contains("PostgreSQL is unreachable", "jdbc:postgresql://127.0.0.1:1/test",
                "--jdbc-url", DatabaseSettings.URL_VARIABLE, "start one").doesNotContain("s3cret");
    }
}
