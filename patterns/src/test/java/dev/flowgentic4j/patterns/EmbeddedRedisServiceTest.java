package dev.flowgentic4j.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.testkit.Probes;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Pattern 3 on the embedded Redis, whatever server the other tests use: what a test or demo gets on
 * a machine with no Redis, so CI covers it as well as the configured server.
 */
class EmbeddedRedisServiceTest {
    private static final Duration READY = Duration.ofSeconds(30);

    @Test
    void without_a_url_the_client_runs_on_an_embedded_redis_and_close_stops_both() throws Exception {
        RedisSettings base = RedisSettings.of("unused").withClientName(TestServers.unique("fg4j"));
        PatternServices.Redis redis;
        EmbeddedRedis server;
        try (FlowEngine engine = FlowEngine.create()) {
            redis = PatternServices.startRedis(engine, Optional.empty(), base,
                    RetryConfig.noRetry(), READY);
            server = redis.embedded().orElseThrow().join();
            redis.client().call(READY, r -> {
                r.set("greeting", "hello");
                return null;
            });

            Optional<String> greeting = redis.client().call(READY, r -> r.get("greeting"));
            assertThat(greeting).contains("hello");
            assertThat(redis.client().join().settings().url()).isEqualTo(server.url());
            assertThat(server.url()).startsWith("redis://127.0.0.1:");
            assertThat(redis.client().join().clientNames()).contains(base.clientName());
        }

        assertThat(redis.client().state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(redis.embedded().orElseThrow().state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(server.isClosed()).isTrue();
        assertThat(Probes.eventually(Duration.ofSeconds(5), () -> Probes.portRefuses(server.port())))
                .as("port %d refuses after close", server.port()).isTrue();
    }
}
