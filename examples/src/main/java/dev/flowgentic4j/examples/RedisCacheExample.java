package dev.flowgentic4j.examples;

import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.patterns.Options;
import dev.flowgentic4j.patterns.PatternServices;
import dev.flowgentic4j.patterns.RedisCache;
import dev.flowgentic4j.patterns.RedisSettings;
import dev.flowgentic4j.testkit.Probes;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Pattern 3, "Redis Cache Client": a SERVICE_TASK opens one Lettuce connection to the Redis at
 * {@code --redis-url=...} / {@value RedisSettings#URL_VARIABLE}, or, with neither set, to an
 * embedded Redis it starts first (a demo convenience: in production, configure a URL);
 * {@code user:123} and {@code session:456} are set and read through it; cancelling the handle closes
 * the connection, after which {@code CLIENT LIST} no longer shows its client name.
 */
public final class RedisCacheExample {
    private static final Duration READY = Duration.ofSeconds(30);

    /** What the example saw, for tests. */
    public record Report(Optional<String> user, Optional<String> session, boolean sameConnection,
                         boolean listedWhileRunning, boolean listedAfterCancel, boolean embedded) {}

    private RedisCacheExample() {}

    public static void main(String[] args) {
        Unreachable.exitOnFailure("RedisCacheExample", () -> run(System.out,
                RedisSettings.configured(Options.of(System.getenv(), args)), RetryConfig.ofDefaults()));
    }

    /**
     * Connects to {@code configured} (with none, to an embedded Redis it starts first), retrying
     * start-up with {@code retry}; prints to {@code out}.
     */
    public static Report run(PrintStream out, Optional<RedisSettings> configured, RetryConfig retry)
            throws TimeoutException {
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            if (configured.isEmpty()) {
                out.println("No Redis URL configured (--redis-url or " + RedisSettings.URL_VARIABLE
                        + "): starting an embedded Redis, for this demo only");
            }
            PatternServices.Redis services = PatternServices.startRedis(integration.executionWrappers(), configured,
                    RedisSettings.of(RedisSettings.DEFAULT_URL), retry, READY);
            ServiceFuture<RedisCache> future = services.client();
            RedisCache redis = future.join();
            RedisSettings settings = redis.settings();
            out.println("Redis client connected to " + settings.redactedUrl() + " in "
                    + future.startupDuration().orElseThrow().toMillis() + " ms as " + settings.clientName());

            // same Redis connection for all operations
            future.call(READY, r -> {
                r.set("user:123", "{\"id\":123,\"name\":\"Ada Lovelace\"}");
                r.set("session:456", "{\"user\":123,\"expires\":\"in 30 minutes\"}", Duration.ofMinutes(30));
                return null;
            });
            Optional<String> user = future.call(READY, r -> r.get("user:123"));
            Optional<String> session = future.call(READY, r -> r.get("session:456"));
            boolean same = future.join() == redis;
            out.println("  get user:123    -> " + user.orElse("(none)"));
            out.println("  get session:456 -> " + session.orElse("(none)"));
            boolean listed = clientNames(settings).contains(settings.clientName());

            // cleanup: cancelling the handle closes the connection
            future.cancel(true);
            boolean listedAfter = !Probes.eventually(Duration.ofSeconds(5),
                    () -> !clientNames(settings).contains(settings.clientName()));
            out.println("  client " + settings.clientName() + " in CLIENT LIST: while running " + listed
                    + ", after cancel " + listedAfter);
            return new Report(user, session, same, listed, listedAfter, services.embedded().isPresent());
        }
    }

    /** What the server lists, seen over a short-lived connection of its own. */
    private static List<String> clientNames(RedisSettings settings) {
        try (RedisCache probe = RedisCache.connect(settings.withClientName(Probes.PROBE_APPLICATION_NAME))) {
            return probe.clientNames();
        } catch (RedisCache.RedisUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
