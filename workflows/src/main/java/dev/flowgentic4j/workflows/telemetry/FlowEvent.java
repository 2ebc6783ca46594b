package dev.flowgentic4j.workflows.telemetry;

import java.time.Instant;

/**
 * One event of the telemetry stream: a service's lifecycle ({@link ServiceEvent}) or a task, node or
 * tool call ({@link CallEvent}). Immutable.
 */
public sealed interface FlowEvent permits ServiceEvent, CallEvent {

    /** When it happened, read from the engine's {@link dev.flowgentic4j.workflows.Ticker} (only differences mean anything). */
    long nanos();

    /** When it happened, by the wall clock. */
    Instant at();

    /** This event as one JSON object. */
    String toJson();
}
