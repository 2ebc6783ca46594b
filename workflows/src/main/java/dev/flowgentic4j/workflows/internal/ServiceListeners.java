package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceListener;
import dev.flowgentic4j.workflows.ServiceState;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one service and the events waiting for them. Events are queued by the state
 * machine in transition order (while it holds the engine lock) and delivered later, outside that
 * lock, by whichever thread calls {@link #deliver()}, one at a time and in order. Thread-safe.
 */
final class ServiceListeners {
    private static final Logger log = LoggerFactory.getLogger(ServiceListeners.class);

    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private final Queue<Runnable> pending = new ArrayDeque<>(); // guarded by itself
    private final Object delivering = new Object();

    void add(ServiceListener listener, Executor executor) {
        registrations.add(new Registration(Objects.requireNonNull(listener, "listener"),
                Objects.requireNonNull(executor, "executor")));
    }

    void queueTransition(ServiceFuture<?> service, ServiceState from, ServiceState to, Throwable cause) {
        Consumer<ServiceListener> call;
        switch (to) {
            case STARTING:
                call = l -> l.starting(service);
                break;
            case RUNNING:
                call = l -> l.running(service);
                break;
            case STOPPING:
                call = l -> l.stopping(service, from);
                break;
            case TERMINATED:
                call = l -> l.terminated(service, from);
                break;
            case FAILED:
                call = l -> l.failed(service, from, cause);
                break;
            default:
                return;
        }
        queue(service, to.toString(), call);
    }

    void queueHealth(ServiceFuture<?> service, HealthStatus status) {
        queue(service, "health change", l -> l.healthChanged(service, status));
    }

    void queueRestart(ServiceFuture<?> service, int generation, Throwable cause) {
        queue(service, "restart", l -> l.restarting(service, generation, cause));
    }

    private void queue(ServiceFuture<?> service, String what, Consumer<ServiceListener> call) {
        synchronized (pending) {
            for (Registration r : registrations) {
                pending.add(() -> r.deliver(service, what, call));
            }
        }
    }

    /** Delivers every queued event, in order; callers must not hold the engine lock. */
    void deliver() {
        synchronized (delivering) {
            while (true) {
                Runnable event;
                synchronized (pending) {
                    event = pending.poll();
                }
                if (event == null) {
                    return;
                }
                event.run();
            }
        }
    }

    private record Registration(ServiceListener listener, Executor executor) {
        void deliver(ServiceFuture<?> service, String what, Consumer<ServiceListener> call) {
            try {
                executor.execute(() -> {
                    try {
                        call.accept(listener);
                    } catch (RuntimeException e) {
                        log.warn("listener of service '{}' threw on {}", service.id(), what, e);
                    }
                });
            } catch (RejectedExecutionException e) {
                log.warn("listener executor of service '{}' rejected the {} event", service.id(), what);
            }
        }
    }
}
