package dev.flowgentic4j.examples;

import dev.flowgentic4j.examples.patterns.Options;
import dev.flowgentic4j.examples.patterns.PatternServices;
import dev.flowgentic4j.examples.patterns.Probes;
import dev.flowgentic4j.examples.patterns.RedisCache;
import dev.flowgentic4j.examples.patterns.RedisSettings;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;

/**
 * Pattern 3, "Redis Cache Client": a SERVICE_TASK opens one Lettuce connection to
 * {@code redis://127.0.0.1:6379} (or {@code --redis-url=...} / {@value RedisSettings#URL_VARIABLE});
 * {@code user:123} and {@code session:456} are set and read through it; cancelling the handle closes
 * the connection, after which {@code CLIENT LIST} no longer shows its client name.
 */
public final class RedisCacheExample {
    private static final Duration READY = Duration.ofSeconds(30);

    /** What the example saw, for tests. */
    public record Report(Optional<String> user, Optional<String> session, boolean sameConnection,
                         boolean listedWhileRunning, boolean listedAfterCancel) {}

    private RedisCacheExample() {}

    public static void main(String[] args) {
        run(System.out, RedisSettings.from(Options.of(System.getenv(), args)), RetryConfig.ofDefaults());
    }

    /** Connects with {@code settings}, retrying start-up with {@code retry}; prints to {@code out}. */
    public static Report run(PrintStream out, RedisSettings settings, RetryConfig retry) {
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ServiceFuture<RedisCache> future =
                    PatternServices.redisCache(integration.executionWrappers(), retry).start(settings);
            RedisCache redis = future.join();
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
            boolean listed = Probes.redisClientNames(settings.url()).contains(settings.clientName());

            // cleanup: cancelling the handle closes the connection
            future.cancel(true);
            boolean listedAfter = !Probes.eventually(Duration.ofSeconds(5),
                    () -> !Probes.redisClientNames(settings.url()).contains(settings.clientName()));
            out.println("  client " + settings.clientName() + " in CLIENT LIST: while running " + listed
                    + ", after cancel " + listedAfter);
            return new Report(user, session, same, listed, listedAfter);
        }
    }
}
