package dev.flowgentic4j.workflows.telemetry;

/**
 * Receives the telemetry stream of an engine. Called on the thread where the event happened (a
 * caller's, a backend thread), never while the engine holds a lock, possibly from several threads
 * at once: implementations must be thread-safe and quick. A service event is published as part of
 * its transition, before the service's futures complete: what a {@code join()} sees is already in
 * the stream, and a slow listener here delays those waiters (a {@code ServiceListener} does not).
 * Anything it throws is logged and ignored.
 */
@FunctionalInterface
public interface EventListener {
    void onEvent(FlowEvent event);
}
