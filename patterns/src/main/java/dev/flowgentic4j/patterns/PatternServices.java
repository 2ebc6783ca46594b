package dev.flowgentic4j.patterns;

import com.sun.net.httpserver.HttpHandler;
import dev.flowgentic4j.patterns.websocket.WebSocketService;
import dev.flowgentic4j.patterns.websocket.WebSocketSettings;
import dev.flowgentic4j.workflows.HealthConfig;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.flowgentic4j.workflows.ServiceTaskRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The production patterns as ready {@link ServiceDefinition}s: an embedded PostgreSQL, a HikariCP
 * pool, the all-MiniLM-L6-v2 model, a Redis client, an embedded Redis, an in-process cache and the
 * JDK HTTP server. Each has a fixed name, a readiness and a health check where the component has
 * one ({@code SELECT 1}, {@code PING}, a TCP connect), and a stop that releases the resource when
 * the handle is cancelled or the integration closes. One way to use each: register the definition
 * where services are registered (a {@link ServiceTaskRegistry}: the integration's
 * {@code ExecutionWrappers} or a {@code FlowEngine}) and start it. {@link #startDatabase} and
 * {@link #startRedis} start a pool or client together with the embedded server it needs when none
 * is configured. This module depends on {@code workflows} only.
 *
 * <pre>{@code
 * try (LangGraphIntegration integration = LangGraphIntegration.create()) {
 *     ServiceFuture<EmbeddingModelService> model =
 *         integration.executionWrappers().serviceTask(PatternServices.embeddingModel()).start(null);
 *     float[] v = model.call(Duration.ofSeconds(30), m -> m.embed("hello"));
 * }
 * }</pre>
 *
 * Each pattern needs its component's libraries, which this module declares optional (see README).
 */
public final class PatternServices {
    public static final String EMBEDDED_POSTGRES = "embedded_postgres";
    public static final String DATABASE_POOL = "db_pool";
    public static final String EMBEDDING_MODEL = "embedding_model";
    public static final String REDIS_CACHE = "redis_cache";
    public static final String EMBEDDED_REDIS = "embedded_redis";
    public static final String IN_PROCESS_CACHE = "in_process_cache";
    public static final String HTTP_SERVER = "http_server";
    public static final String WEBSOCKET = "websocket";
    public static final String API_CLIENT = "api_client";

    /** How often the pool, Redis and HTTP server services are checked while they run. */
    public static final Duration HEALTH_INTERVAL = Duration.ofSeconds(10);

    private PatternServices() {}

    /** A PostgreSQL server of its own ({@link EmbeddedDatabase}); start it with {@code start(null)}. */
    public static ServiceDefinition<Void, EmbeddedDatabase> embeddedPostgres() {
        return ServiceDefinition.builder(EMBEDDED_POSTGRES, (Void none) -> EmbeddedDatabase.start())
                .stop(EmbeddedDatabase::close)
                .build();
    }

    /**
     * A HikariCP pool ({@link DatabasePool}); the settings passed to {@code start} must carry a JDBC
     * URL. RUNNING once the minimum idle connections are open and answered {@code SELECT 1}; checked
     * with {@code SELECT 1} while it runs; the stop closes every connection.
     *
     * <p>The settings are the start arguments, so {@code ServiceFuture.update(newSettings)} moves a
     * running pool to new settings (sizes, application name, user, password, even another server)
     * blue/green: the new pool opens and warms its connections beside the live one, queries switch
     * to it at once, and the old pool is closed once its last query returned. No query fails.
     *
     * <pre>{@code
     * ServiceFuture<DatabasePool> db = registry.serviceTask(PatternServices.databasePool()).start(settings);
     * db.update(settings.withPoolSize(4, 32)).join();   // completes at the switch, with the new generation
     * }</pre>
     */
    public static ServiceDefinition<DatabaseSettings, DatabasePool> databasePool() {
        return ServiceDefinition.builder(DATABASE_POOL, DatabasePool::open)
                .readiness(DatabasePool::warmUp)
                .health(HealthConfig.<DatabasePool>builder(DatabasePool::checkHealth).interval(HEALTH_INTERVAL).build())
                .stop(DatabasePool::close)
                .build();
    }

    /**
     * The embedding model ({@link EmbeddingModelService}) loaded with the settings passed to
     * {@code start}, or with {@link EmbeddingModelSettings#defaults()} (all-MiniLM-L6-v2) for
     * {@code start(null)}.
     */
    public static ServiceDefinition<EmbeddingModelSettings, EmbeddingModelService> embeddingModel() {
        return embeddingModel(EmbeddingModelSettings.defaults());
    }

    /**
     * The embedding model ({@link EmbeddingModelService}) loaded with the settings passed to
     * {@code start}; {@code start(null)} loads it with {@code defaults}. The settings are the start
     * arguments, so {@code ServiceFuture.update(newSettings)} swaps the model of a running service
     * (another model, other ONNX threads) blue/green: the new model loads beside the live one, calls
     * switch to it at once, and the old session is released once its last embedding returned. No
     * call fails and none waits for the load.
     *
     * <pre>{@code
     * ServiceFuture<EmbeddingModelService> model =
     *     registry.serviceTask(PatternServices.embeddingModel()).start(null);   // all-MiniLM-L6-v2
     * model.update(EmbeddingModelSettings.defaults()
     *     .withModel(EmbeddingModelSettings.ALL_MINILM_L6_V2_QUANTIZED)).join();
     * }</pre>
     */
    public static ServiceDefinition<EmbeddingModelSettings, EmbeddingModelService> embeddingModel(
            EmbeddingModelSettings defaults) {
        Objects.requireNonNull(defaults, "defaults");
        return ServiceDefinition.builder(EMBEDDING_MODEL, (EmbeddingModelSettings settings) ->
                        EmbeddingModelService.load(settings == null ? defaults : settings))
                .stop(EmbeddingModelService::close)
                .build();
    }

    /**
     * A Lettuce connection ({@link RedisCache}), checked with {@code PING}. If Redis is unreachable
     * every attempt of {@code retry} fails and the handle fails with an exception naming the URL.
     */
    public static ServiceDefinition<RedisSettings, RedisCache> redisCache(RetryConfig retry) {
        return ServiceDefinition.builder(REDIS_CACHE, RedisCache::connect)
                .health(HealthConfig.<RedisCache>builder(RedisCache::ping).interval(HEALTH_INTERVAL).build())
                .stop(RedisCache::close)
                .retry(Objects.requireNonNull(retry, "retry"))
                .build();
    }

    /** A Redis server of its own ({@link EmbeddedRedis}), for tests and demos only; {@code start(null)}. */
    public static ServiceDefinition<Void, EmbeddedRedis> embeddedRedis() {
        return ServiceDefinition.builder(EMBEDDED_REDIS, (Void none) -> EmbeddedRedis.start())
                .stop(EmbeddedRedis::close)
                .build();
    }

    /** The stand-in cache when no Redis is configured ({@link InProcessCache}). */
    public static ServiceDefinition<Void, InProcessCache> inProcessCache() {
        return ServiceDefinition.builder(IN_PROCESS_CACHE, (Void none) -> new InProcessCache())
                .stop(InProcessCache::close)
                .build();
    }

    /**
     * The JDK HTTP server ({@link HttpServerService}) serving {@code routes}; RUNNING once its port
     * accepts connections, checked the same way while it runs; the stop releases the port.
     */
    public static ServiceDefinition<HttpServerSettings, HttpServerService> httpServer(Map<String, HttpHandler> routes) {
        Map<String, HttpHandler> copy = Map.copyOf(Objects.requireNonNull(routes, "routes"));
        return ServiceDefinition.builder(HTTP_SERVER, (HttpServerSettings settings) -> HttpServerService.start(settings, copy))
                .readiness(HttpServerService::checkAccepting)
                .health(HealthConfig.<HttpServerService>builder(HttpServerService::checkAccepting)
                        .interval(HEALTH_INTERVAL).build())
                .stop(HttpServerService::close)
                .build();
    }

    /**
     * A persistent WebSocket client connection ({@link WebSocketService}, Jetty's client) to the
     * URL of the settings passed to {@code start}. RUNNING once the handshake is done and the
     * server answered a ping; checked with a ping while it runs (UNHEALTHY while it reconnects);
     * a lost connection is replaced inside the service (a new connection generation, the
     * subscriptions restored); the stop sends a close frame (1000) and waits for the server's,
     * then ends the client's threads.
     */
    public static ServiceDefinition<WebSocketSettings, WebSocketService> webSocket() {
        return ServiceDefinition.builder(WEBSOCKET, WebSocketService::connect)
                .readiness((WebSocketService ws) -> ws.ping(ws.settings().pongTimeout()))
                .health(HealthConfig.<WebSocketService>builder(WebSocketService::checkHealth)
                        .interval(HEALTH_INTERVAL).build())
                .stop(WebSocketService::close)
                .stopTimeout(WEBSOCKET_STOP_TIMEOUT)
                .build();
    }

    /** How long the WebSocket service's stop may take: its close handshake (2 s by default) and its threads' end. */
    public static final Duration WEBSOCKET_STOP_TIMEOUT = Duration.ofSeconds(15);

    /**
     * The authenticated API client ({@link ApiClientService}) over the settings passed to {@code start}:
     * the first token is fetched in the cold start; RUNNING once the probe (if configured) answered;
     * checked every {@link #HEALTH_INTERVAL} (token endpoint reachable, last renewal succeeded); the stop
     * drops the token, session and cookies. A refused credential is not retried: the handle fails at
     * once with the token endpoint and the OAuth error code in its message.
     */
    public static ServiceDefinition<ApiClientSettings, ApiClientService> apiClient() {
        return apiClient(RetryConfig.ofDefaults().toBuilder()
                .retryOn(failure -> failure instanceof Exception && !(failure instanceof ApiAuthenticationException))
                .build());
    }

    /** {@link #apiClient()} with the start-up retry policy {@code retry}. */
    public static ServiceDefinition<ApiClientSettings, ApiClientService> apiClient(RetryConfig retry) {
        return ServiceDefinition.builder(API_CLIENT, ApiClientService::connect)
                .readiness(ApiClientService::checkReady)
                .health(HealthConfig.<ApiClientService>builder(ApiClientService::checkHealth)
                        .interval(HEALTH_INTERVAL).build())
                .stop(ApiClientService::close)
                .retry(Objects.requireNonNull(retry, "retry"))
                .build();
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
     * Registers {@link #databasePool()} on {@code registry} and starts the pool over {@code settings}' JDBC URL; with none, first starts an embedded PostgreSQL
     * and waits up to {@code readyTimeout} for it (the pool then starts without waiting).
     *
     * @throws TimeoutException if the embedded server is not up in time
     */
    public static Database startDatabase(ServiceTaskRegistry registry, DatabaseSettings settings,
                                         Duration readyTimeout) throws TimeoutException {
        ServiceTask<DatabaseSettings, DatabasePool> pools = registry.serviceTask(databasePool());
        if (settings.jdbcUrl().isPresent()) {
            return new Database(Optional.empty(), pools.start(settings));
        }
        ServiceFuture<EmbeddedDatabase> embedded = registry.serviceTask(embeddedPostgres()).start(null);
        EmbeddedDatabase server = embedded.awaitRunning(readyTimeout);
        return new Database(Optional.of(embedded), pools.start(server.settingsFor(settings)));
    }

    /**
     * The Redis services of one program: the client and, when it runs on one (tests and demos),
     * the embedded server. Closing the integration stops the client first, then the server.
     */
    public record Redis(Optional<ServiceFuture<EmbeddedRedis>> embedded, ServiceFuture<RedisCache> client) {}

    /**
     * Registers {@link #redisCache} on {@code registry} and starts the client over {@code settings}; with none, first starts an embedded Redis (tests and
     * demos only) and waits up to {@code readyTimeout} for it, then connects with {@code base}'s
     * client name and key prefix.
     *
     * @throws TimeoutException if the embedded server is not up in time
     */
    public static Redis startRedis(ServiceTaskRegistry registry, Optional<RedisSettings> settings, RedisSettings base,
                                   RetryConfig retry, Duration readyTimeout) throws TimeoutException {
        ServiceTask<RedisSettings, RedisCache> clients = registry.serviceTask(redisCache(retry));
        if (settings.isPresent()) {
            return new Redis(Optional.empty(), clients.start(settings.get()));
        }
        ServiceFuture<EmbeddedRedis> embedded = registry.serviceTask(embeddedRedis()).start(null);
        EmbeddedRedis server = embedded.awaitRunning(readyTimeout);
        return new Redis(Optional.of(embedded), clients.start(server.settingsFor(base)));
    }
}
