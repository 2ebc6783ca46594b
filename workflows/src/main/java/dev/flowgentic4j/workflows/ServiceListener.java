package dev.flowgentic4j.workflows;

/**
 * Hears the transitions of one service. Each lifecycle callback ({@code starting} to {@code failed})
 * fires at most once per handle; a supervised restart stays RUNNING and is told by
 * {@link #restarting} and {@link #restarted}. Callbacks run on the executor given at registration,
 * one at a time per listener and in transition order, never while the engine holds a lock; anything
 * they throw ({@code Throwable}) is logged and ignored. A callback may cancel the service or close
 * the engine.
 */
public interface ServiceListener {
    default void starting(ServiceFuture<?> service) {}

    default void running(ServiceFuture<?> service) {}

    default void stopping(ServiceFuture<?> service, ServiceState from) {}

    default void terminated(ServiceFuture<?> service, ServiceState from) {}

    default void failed(ServiceFuture<?> service, ServiceState from, Throwable failure) {}

    /** The health check's verdict changed (to HEALTHY or UNHEALTHY). */
    default void healthChanged(ServiceFuture<?> service, HealthStatus health) {}

    /**
     * A replacement began: the instance of {@code generation} is being replaced, by a supervised
     * restart because of {@code cause}, or blue/green by {@code restart()}/{@code update(...)}
     * ({@code cause} null; the instance goes on serving until the next one is live).
     */
    default void restarting(ServiceFuture<?> service, int generation, Throwable cause) {}

    /** A replacement ended: the instance of {@code generation} is live (and takes the calls). */
    default void restarted(ServiceFuture<?> service, int generation) {}

    /**
     * The instance of {@code generation} died (see {@link ServiceDefinition.Builder#diesWhen} and
     * {@link ServiceDefinition.Builder#deadOn}): it no longer takes calls. A {@link #restarting} (or
     * a {@link #failed}, without a restart policy) follows unless a replacement was under way.
     */
    default void instanceDied(ServiceFuture<?> service, int generation, Throwable cause) {}
}
