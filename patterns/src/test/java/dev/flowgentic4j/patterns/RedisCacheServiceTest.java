package dev.flowgentic4j.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.testkit.Probes;
import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pattern 3 against a real Redis: the configured one, else an embedded one ({@link TestServers}). */
class RedisCacheServiceTest {
    private static final Duration READY = Duration.ofSeconds(30);

    private final String url = TestServers.redisUrl();
    private final RedisSettings settings = RedisSettings.of(url)
            .withClientName(TestServers.unique("fg4j"))
            .withKeyPrefix(TestServers.unique("fg4j") + ":");

    @AfterEach
    void deleteTheKeys() throws RedisCache.RedisUnavailableException {
        try (RedisCache redis = RedisCache.connect(settings.withClientName(TestServers.unique("fg4j")))) {
            redis.delete("user:123");
            redis.delete("session:456");
        }
    }

    @Test
    void one_connection_serves_every_call_is_checked_with_ping_and_cancel_closes_it() {
        try (FlowEngine engine = FlowEngine.create()) {
            ServiceFuture<RedisCache> future = engine.serviceTask(PatternServices.redisCache(RetryConfig.noRetry()))
                    .start(settings);
            RedisCache redis = future.join();
            future.call(READY, r -> {
                r.set("user:123", "{\"name\":\"Ada Lovelace\"}");
                r.set("session:456", "{\"user\":123}", Duration.ofMinutes(30));
                return null;
            });

            Optional<String> user = future.call(READY, r -> r.get("user:123"));
            Optional<String> session = future.call(READY, r -> r.get("session:456"));
            assertThat(user).hasValueSatisfying(v -> assertThat(v).contains("Ada"));
            assertThat(session).contains("{\"user\":123}");
            assertThat(future.join()).isSameAs(redis);
            redis.ping();
            assertThat(redis.clientNames()).contains(settings.clientName());

            future.cancel(true);

            assertThat(redis.isClosed()).isTrue();
            assertThat(Probes.eventually(Duration.ofSeconds(5),
                    () -> !TestServers.redisClientNames(url).contains(settings.clientName())))
                    .as("CLIENT LIST no longer shows %s", settings.clientName()).isTrue();
        }
    }

    @Test
    void closing_the_engine_closes_the_redis_connection() {
        ServiceFuture<RedisCache> future;
        RedisCache redis;
        try (FlowEngine engine = FlowEngine.create()) {
            future = engine.serviceTask(PatternServices.redisCache(RetryConfig.noRetry()))
                    .start(settings);
            redis = future.join();
            future.call(READY, r -> {
                r.set("user:123", "Ada");
                return null;
            });
            Optional<String> user = future.call(READY, r -> r.get("user:123"));
            assertThat(user).contains("Ada");
            assertThat(TestServers.redisClientNames(url)).contains(settings.clientName());
            redis.delete("user:123");
        }

        assertThat(future.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(redis.isClosed()).isTrue();
        assertThat(Probes.eventually(Duration.ofSeconds(5),
                () -> !TestServers.redisClientNames(url).contains(settings.clientName())))
                .as("CLIENT LIST no longer shows %s", settings.clientName()).isTrue();
    }

    @Test
    void unreachable_redis_fails_to_start_after_the_retries_with_an_error_naming_the_url() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "redis://127.0.0.1:" + closedPort;
        AtomicInteger attempts = new AtomicInteger();
        RetryConfig fast = RetryConfig.builder().maxAttempts(3).baseDelay(Duration.ofMillis(10))
                .maxDelay(Duration.ofMillis(20)).retryOn(e -> attempts.incrementAndGet() > 0).build();

        try (FlowEngine engine = FlowEngine.create()) {
            ServiceFuture<RedisCache> future = engine.serviceTask(PatternServices.redisCache(fast))
                    .start(RedisSettings.of(url).withConnectTimeout(Duration.ofSeconds(1)));

            assertThatThrownBy(future::join)
                    .isInstanceOf(ServiceFailedException.class)
                    .hasMessageContaining("redis_cache")
                    .hasMessageContaining("3 attempts")
                    .hasMessageContaining(url)
                    .hasCauseInstanceOf(RedisCache.RedisUnavailableException.class);
            assertThat(future.state()).isEqualTo(ServiceState.FAILED);
            assertThat(attempts).as("failed attempts the retry policy saw").hasValue(2);
        }
    }
}
