package dev.flowgentic4j.spring.app;

import java.util.ArrayList;
import java.util.List;

/** Records which services stopped, in order. */
public final class StopLog {
    private final List<String> stopped = new ArrayList<>();

    public synchronized void stopped(String name) {
        stopped.add(name);
    }

    public synchronized List<String> stopped() {
        return List.copyOf(stopped);
    }
}
