package dev.flowgentic4j.workflows.internal.service;

import dev.flowgentic4j.workflows.ServiceListener;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one service. Each registration has its own queue: the lifecycle queues events
 * in transition order (while holding its lock: a queue operation, no listener code), and
 * {@link #dispatch()}, called with no lock held, hands each queue to its executor. A queue is
 * drained by one task at a time, so each listener gets its events serially and in order; a thread
 * that finds a queue already being drained leaves its events to that drain instead of waiting, so
 * a listener may stop or close services from inside a callback. Anything a listener throws
 * ({@code Throwable}, including errors and sneaky checked exceptions) is logged and ignored.
 * Thread-safe.
 */
final class ServiceListeners {
    private static final Logger log = LoggerFactory.getLogger(ServiceListeners.class);
    private static final ThreadLocal<int[]> delivering = ThreadLocal.withInitial(() -> new int[1]);

    private final String serviceId;
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private final List<Registration> observers = new CopyOnWriteArrayList<>();

    ServiceListeners(String serviceId) {
        this.serviceId = serviceId;
    }

    /** Whether the current thread is inside a listener callback (of any service). */
    static boolean insideListener() {
        return delivering.get()[0] > 0;
    }

    void add(ServiceListener listener, Executor executor) {
        registrations.add(new Registration(Objects.requireNonNull(listener, "listener"),
                Objects.requireNonNull(executor, "executor")));
    }

    /**
     * Adds the engine's own observer (the telemetry's event stream): it hears each transition on
     * the transition's thread as part of publishing it, before the futures complete, so that what
     * a waiter sees is already in the event stream. It must be quick and must not block.
     */
    void observe(ServiceListener observer) {
        observers.add(new Registration(Objects.requireNonNull(observer, "observer"), Runnable::run));
    }

    /** Queues one event for every observer and listener; called by the lifecycle under its lock. */
    void queue(String what, Consumer<ServiceListener> call) {
        queue(what, call, call::accept);
    }

    /**
     * Queues one event, told to the listeners as {@code call} and to the engine's observers as
     * {@code observed} (a {@link ServiceObserver} hears more than a listener).
     */
    void queue(String what, Consumer<ServiceListener> call, Consumer<ServiceObserver> observed) {
        Event forObservers = new Event(what, l -> {
            if (l instanceof ServiceObserver o) {
                observed.accept(o);
            } else {
                call.accept(l);
            }
        });
        for (Registration r : observers) {
            r.enqueue(forObservers);
        }
        Event event = new Event(what, call);
        for (Registration r : registrations) {
            r.enqueue(event);
        }
    }

    /** Queues an event only the engine's observers hear. */
    void queueForObservers(String what, Consumer<ServiceObserver> observed) {
        Event event = new Event(what, l -> {
            if (l instanceof ServiceObserver o) {
                observed.accept(o);
            }
        });
        for (Registration r : observers) {
            r.enqueue(event);
        }
    }

    /** Delivers queued events to the engine's observers, on this thread; callers hold no lock. */
    void dispatchToObservers() {
        for (Registration r : observers) {
            r.dispatch();
        }
    }

    /** Hands queued events to the listeners' executors; callers hold no lock. */
    void dispatch() {
        for (Registration r : registrations) {
            r.dispatch();
        }
    }

    private record Event(String what, Consumer<ServiceListener> call) {}

    private final class Registration {
        private final ServiceListener listener;
        private final Executor executor;
        private final Queue<Event> queue = new ArrayDeque<>(); // guarded by this
        private boolean draining;                               // guarded by this

        Registration(ServiceListener listener, Executor executor) {
            this.listener = listener;
            this.executor = executor;
        }

        synchronized void enqueue(Event event) {
            queue.add(event);
        }

        void dispatch() {
            synchronized (this) {
                if (draining || queue.isEmpty()) {
                    return; // the drain in progress delivers it
                }
                draining = true;
            }
            try {
                executor.execute(this::drain);
            } catch (Throwable t) {
                int dropped;
                synchronized (this) {
                    dropped = queue.size();
                    queue.clear();
                    draining = false;
                }
                log.warn("listener executor of service '{}' rejected {} event(s): {}", serviceId, dropped, t.toString());
            }
        }

        private void drain() {
            int[] depth = delivering.get();
            depth[0]++;
            try {
                while (true) {
                    Event event;
                    synchronized (this) {
                        event = queue.poll();
                        if (event == null) {
                            draining = false;
                            return;
                        }
                    }
                    try {
                        event.call().accept(listener);
                    } catch (Throwable t) {
                        log.warn("listener of service '{}' threw on {}", serviceId, event.what(), t);
                    }
                }
            } finally {
                depth[0]--;
            }
        }
    }
}
