package dev.flowgentic4j.workflows.telemetry;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Keeps every event it hears, in publication order, until it is closed; the input of an execution
 * report. Obtained from {@link Telemetry#record()}. Thread-safe.
 */
public final class EventRecorder implements EventListener, AutoCloseable {
    private final ConcurrentLinkedQueue<FlowEvent> events = new ConcurrentLinkedQueue<>();
    private volatile AutoCloseable subscription;

    EventRecorder() {}

    void subscription(AutoCloseable s) {
        this.subscription = s;
    }

    @Override
    public void onEvent(FlowEvent event) {
        events.add(event);
    }

    /** The events recorded so far, in publication order. */
    public List<FlowEvent> events() {
        return List.copyOf(events);
    }

    /** Stops recording; the events stay readable. */
    @Override
    public void close() {
        AutoCloseable s = subscription;
        if (s != null) {
            try {
                s.close();
            } catch (Exception e) {
                throw new IllegalStateException(e); // our subscriptions do not throw
            }
        }
    }
}
