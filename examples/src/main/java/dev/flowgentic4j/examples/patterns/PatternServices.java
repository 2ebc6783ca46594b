package dev.flowgentic4j.examples.patterns;

import dev.flowgentic4j.examples.server.SimpleServer;
import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceTask;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The production patterns as SERVICE_TASKs: an embedded PostgreSQL, a HikariCP pool, the
 * all-MiniLM-L6-v2 model, a Redis client, an in-process cache and the demo HTTP server. Each factory
 * registers its task under a fixed name (once per integration) and stops the instance with its
 * {@code close()}/{@code shutdown()} when the handle is cancelled or the integration closes.
 *
 * <pre>{@code
 * try (LangGraphIntegration integration = LangGraphIntegration.create()) {
 *     ExecutionWrappers wrappers = integration.executionWrappers();
 *     ServiceFuture<EmbeddingModelService> model = PatternServices.embeddingModel(wrappers).start(null);
 *     float[] v = model.call(Duration.ofSeconds(30), m -> m.embed("hello"));
 * }
 * }</pre>
 */
public final class PatternServices {
    public static final String EMBEDDED_POSTGRES = "embedded_postgres";
    public static final String DATABASE_POOL = "db_pool";
    public static final String EMBEDDING_MODEL = "embedding_model";
    public static final String REDIS_CACHE = "redis_cache";
    public static final String IN_PROCESS_CACHE = "in_process_cache";
    public static final String HTTP_SERVER = "http_server";

    private PatternServices() {}

    /** A PostgreSQL server of its own ({@link EmbeddedDatabase}); start it with {@code start(null)}. */
    public static ServiceTask<Void, EmbeddedDatabase> embeddedPostgres(ExecutionWrappers wrappers) {
        return wrappers.serviceTask(ServiceDefinition.builder(EMBEDDED_POSTGRES, (Void none) -> EmbeddedDatabase.start())
                .stop(EmbeddedDatabase::close)
                .build());
    }

    /** A HikariCP pool ({@link DatabasePool}); the settings passed to {@code start} must carry a JDBC URL. */
    public static ServiceTask<DatabaseSettings, DatabasePool> databasePool(ExecutionWrappers wrappers) {
        return wrappers.serviceTask(ServiceDefinition.builder(DATABASE_POOL, DatabasePool::open)
                .readiness(DatabasePool::warmUp)   // RUNNING only once the minimum idle connections are open and used
                .stop(DatabasePool::close)
                .build());
    }

    /** The all-MiniLM-L6-v2 model ({@link EmbeddingModelService}); start it with {@code start(null)}. */
    public static ServiceTask<Void, EmbeddingModelService> embeddingModel(ExecutionWrappers wrappers) {
        return wrappers.serviceTask(ServiceDefinition.builder(EMBEDDING_MODEL, (Void none) -> EmbeddingModelService.load())
                .stop(EmbeddingModelService::close)
                .build());
    }

    /**
     * A Lettuce connection ({@link RedisCache}). If Redis is unreachable every attempt of
     * {@code retry} fails and the handle fails with an exception naming the URL.
     */
    public static ServiceTask<RedisSettings, RedisCache> redisCache(ExecutionWrappers wrappers, RetryConfig retry) {
        return wrappers.serviceTask(ServiceDefinition.builder(REDIS_CACHE, RedisCache::connect)
                .stop(RedisCache::close)
                .retry(Objects.requireNonNull(retry, "retry"))
                .build());
    }

    /** The stand-in cache when no Redis is configured ({@link InProcessCache}). */
    public static ServiceTask<Void, InProcessCache> inProcessCache(ExecutionWrappers wrappers) {
        return wrappers.serviceTask(ServiceDefinition.builder(IN_PROCESS_CACHE, (Void none) -> new InProcessCache())
                .stop(InProcessCache::close)
                .build());
    }

    /** The demo HTTP server ({@link SimpleServer}) on 127.0.0.1; {@code start(0)} picks a free port. */
    public static ServiceTask<Integer, SimpleServer> httpServer(ExecutionWrappers wrappers) {
        return wrappers.serviceTask(ServiceDefinition.builder(HTTP_SERVER,
                        (Integer port) -> SimpleServer.start(SimpleServer.DEFAULT_HOST, port))
                .stop(SimpleServer::shutdown)
                .build());
    }

    /**
     * The database services of one program: the pool and, when it runs on one, the embedded server.
     * Closing the integration stops the pool first, then the server (reverse start order).
     */
    public record Database(Optional<ServiceFuture<EmbeddedDatabase>> embedded, ServiceFuture<DatabasePool> pool) {

        /** Stops the pool, then the embedded server if there is one. */
        public void cancel() {
            pool.cancel(true);
            embedded.ifPresent(server -> server.cancel(true));
        }
    }

    /**
     * Starts the pool over {@code settings}' JDBC URL; with none, first starts an embedded PostgreSQL
     * and waits up to {@code readyTimeout} for it (the pool then starts without waiting).
     *
     * @throws TimeoutException if the embedded server is not up in time
     */
    public static Database startDatabase(ExecutionWrappers wrappers, DatabaseSettings settings, Duration readyTimeout)
            throws TimeoutException {
        ServiceTask<DatabaseSettings, DatabasePool> pools = databasePool(wrappers);
        if (settings.jdbcUrl().isPresent()) {
            return new Database(Optional.empty(), pools.start(settings));
        }
        ServiceFuture<EmbeddedDatabase> embedded = embeddedPostgres(wrappers).start(null);
        EmbeddedDatabase server = embedded.awaitRunning(readyTimeout);
        return new Database(Optional.of(embedded), pools.start(server.settingsFor(settings)));
    }
}
