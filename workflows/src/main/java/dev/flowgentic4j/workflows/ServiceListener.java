package dev.flowgentic4j.workflows;

/**
 * Hears the transitions of one service. Each callback fires at most once per service instance.
 * Callbacks run on the executor given at registration; exceptions they throw are logged and ignored.
 */
public interface ServiceListener {
    default void starting(ServiceFuture<?> service) {}

    default void running(ServiceFuture<?> service) {}

    default void stopping(ServiceFuture<?> service, ServiceState from) {}

    default void terminated(ServiceFuture<?> service, ServiceState from) {}

    default void failed(ServiceFuture<?> service, ServiceState from, Throwable failure) {}
}
