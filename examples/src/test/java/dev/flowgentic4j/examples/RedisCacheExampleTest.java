package dev.flowgentic4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.flowgentic4j.patterns.RedisSettings;
import dev.flowgentic4j.workflows.RetryConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Redis example on a configured server or an embedded one, and without a server. */
class RedisCacheExampleTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void example_sets_and_gets_the_seed_keys_through_one_connection_and_cancel_closes_it() throws Exception {
        Optional<RedisSettings> configured = ExampleServers.redisUrl().map(url -> RedisSettings.of(url)
                .withClientName(ExampleServers.unique("fg4j")).withKeyPrefix(ExampleServers.unique("fg4j") + ":"));

        RedisCacheExample.Report report = RedisCacheExample.run(QUIET, configured, RetryConfig.noRetry());

        assertThat(report.user()).hasValueSatisfying(v -> assertThat(v).contains("Ada Lovelace"));
        assertThat(report.session()).hasValueSatisfying(v -> assertThat(v).contains("\"user\":123"));
        assertThat(report.sameConnection()).isTrue();
        assertThat(report.listedWhileRunning()).as("CLIENT LIST shows the client while running").isTrue();
        assertThat(report.listedAfterCancel()).as("CLIENT LIST shows the client after cancel").isFalse();
        assertThat(report.embedded()).isEqualTo(configured.isEmpty());
    }

    @Test
    void an_unreachable_redis_is_explained_in_one_paragraph_with_the_option_the_variable_and_how_to_start_one()
            throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "redis://127.0.0.1:" + closedPort;
        Throwable failure = catchThrowable(() -> RedisCacheExample.run(QUIET,
                Optional.of(RedisSettings.of(url).withConnectTimeout(Duration.ofSeconds(1))), RetryConfig.noRetry()));
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = Unreachable.report("RedisCacheExample", failure, new PrintStream(err, true, StandardCharsets.UTF_8));

        String paragraph = err.toString(StandardCharsets.UTF_8);
        assertThat(status).isEqualTo(Unreachable.SERVER_UNREACHABLE);
        assertThat(paragraph.strip().lines()).hasSize(1);
        assertThat(paragraph).contains(url, "unreachable", "--redis-url", RedisSettings.URL_VARIABLE, "start one");
    }
}
