package dev.flowgentic4j.workflows;

/**
 * Hears the transitions of one service. Each lifecycle callback fires at most once per instance
 * (a supervised restart begins a new instance behind the same handle, at STARTING).
 * Callbacks run on the executor given at registration; exceptions they throw are logged and ignored.
 */
public interface ServiceListener {
    default void starting(ServiceFuture<?> service) {}

    default void running(ServiceFuture<?> service) {}

    default void stopping(ServiceFuture<?> service, ServiceState from) {}

    default void terminated(ServiceFuture<?> service, ServiceState from) {}

    default void failed(ServiceFuture<?> service, ServiceState from, Throwable failure) {}

    /** The health check's verdict changed (to HEALTHY or UNHEALTHY). */
    default void healthChanged(ServiceFuture<?> service, HealthStatus health) {}

    /** A supervised restart began: the instance of {@code generation} is being replaced because of {@code cause}. */
    default void restarting(ServiceFuture<?> service, int generation, Throwable cause) {}
}
