package dev.flowgentic4j.patterns.websocket;

/**
 * What a {@link Subscription} does with an inbound message when its buffer is full. Every outcome
 * is counted in {@link Subscription.Stats}.
 */
public enum OverflowPolicy {
    /** Drops the oldest buffered message to make room (a live feed: the newest value matters). */
    DROP_OLDEST,
    /** Drops the arriving message (keep the first ones, e.g. a bounded sample). */
    DROP_NEWEST,
    /**
     * Holds the connection's reader until the consumer takes a message: nothing is dropped, the
     * server is slowed down by TCP flow control, and every other subscription and reply on the
     * connection waits too. While the reader is held, a missing pong does not count as a lost
     * connection (the pong is behind the held message).
     */
    BLOCK
}
