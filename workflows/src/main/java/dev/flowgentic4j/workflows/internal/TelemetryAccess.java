package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.Ticker;
import dev.flowgentic4j.workflows.telemetry.FlowEvent;
import dev.flowgentic4j.workflows.telemetry.Telemetry;
import dev.flowgentic4j.workflows.telemetry.TelemetryConfig;
import java.util.List;
import java.util.function.Supplier;

/**
 * The engine's door to what only the engine may do with a {@link Telemetry}: create one, and have
 * it follow a new service. Those members are package-private in {@code Telemetry}, which installs
 * its {@link Operations} here when its class initializes (the JDK's {@code SharedSecrets} pattern),
 * so that users of the public telemetry API cannot reach them. Internal: not part of the API.
 */
public final class TelemetryAccess {
    private static volatile Operations operations;

    private TelemetryAccess() {}

    /** What {@code FlowEngine} does with its telemetry that no user may do. */
    public interface Operations {
        /** A new telemetry; {@code services} lists every service of the engine, in start order. */
        Telemetry create(TelemetryConfig config, Ticker ticker, Backend backend,
                         Supplier<List<ServiceFuture<?>>> services);

        /** Follows {@code service}'s lifecycle; called while the engine registers it, before its cold start. */
        void watch(Telemetry telemetry, ServiceFuture<?> service);

        /** Publishes the STARTING of a watched service and arms its progress log; called without a lock. */
        void started(Telemetry telemetry, ServiceFuture<?> service);

        /** Hands an event the engine made (a replica group's) to every listener on this thread. */
        void publish(Telemetry telemetry, FlowEvent event);
    }

    /**
     * Called once, by {@code Telemetry}'s class initializer.
     *
     * @throws IllegalStateException if operations were installed already
     */
    public static synchronized void install(Operations installed) {
        if (operations != null) {
            throw new IllegalStateException("telemetry operations are installed already");
        }
        operations = installed;
    }

    /** The operations {@code Telemetry} installed (initializing that class if nothing has yet). */
    public static Operations operations() {
        Operations current = operations;
        if (current == null) {
            try {
                Class.forName(Telemetry.class.getName(), true, Telemetry.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            current = operations;
        }
        return current;
    }
}
