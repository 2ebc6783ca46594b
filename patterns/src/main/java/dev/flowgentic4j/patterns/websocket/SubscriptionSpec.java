package dev.flowgentic4j.patterns.websocket;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A subscription declared on a {@link WebSocketService}: which inbound messages it takes
 * ({@code filter}), the message that asks the server for them ({@code onConnect}, sent on every new
 * connection, so a reconnect restores it), and its bounded buffer (capacity and overflow policy).
 * Immutable.
 *
 * <pre>{@code
 * SubscriptionSpec prices = SubscriptionSpec.of("prices", m -> m.contains("\"type\":\"price\""))
 *     .onConnect("{\"op\":\"subscribe\",\"topic\":\"prices\"}")
 *     .capacity(256)
 *     .overflow(OverflowPolicy.DROP_OLDEST);
 * }</pre>
 *
 * @param name unique within the service
 * @param filter runs on the connection's reader thread for every inbound message that is not a reply;
 *     keep it cheap and non-blocking (a filter that throws is counted and takes nothing)
 * @param onConnect sent on each new connection before any other message, if present
 * @param capacity how many messages the buffer holds
 * @param overflow what happens when the buffer is full
 */
public record SubscriptionSpec(String name, Predicate<String> filter, Optional<String> onConnect, int capacity,
                               OverflowPolicy overflow) {
    public static final int DEFAULT_CAPACITY = 1024;
    public static final OverflowPolicy DEFAULT_OVERFLOW = OverflowPolicy.DROP_OLDEST;

    /**
     * @throws IllegalArgumentException if the name is blank or the capacity below 1
     * @throws NullPointerException if an argument is null
     */
    public SubscriptionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(onConnect, "onConnect");
        Objects.requireNonNull(overflow, "overflow");
        if (name.isBlank()) {
            throw new IllegalArgumentException("subscription name must not be blank");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity of subscription '" + name + "' must be >= 1, was " + capacity);
        }
    }

    /** Messages matching {@code filter}, a buffer of {@value #DEFAULT_CAPACITY} dropping the oldest, no subscribe message. */
    public static SubscriptionSpec of(String name, Predicate<String> filter) {
        return new SubscriptionSpec(name, filter, Optional.empty(), DEFAULT_CAPACITY, DEFAULT_OVERFLOW);
    }

    /** Every inbound message that is not a reply. */
    public static SubscriptionSpec all(String name) {
        return of(name, message -> true);
    }

    public SubscriptionSpec onConnect(String subscribeMessage) {
        return new SubscriptionSpec(name, filter, Optional.of(Objects.requireNonNull(subscribeMessage, "subscribeMessage")),
                capacity, overflow);
    }

    public SubscriptionSpec capacity(int newCapacity) {
        return new SubscriptionSpec(name, filter, onConnect, newCapacity, overflow);
    }

    public SubscriptionSpec overflow(OverflowPolicy policy) {
        return new SubscriptionSpec(name, filter, onConnect, capacity, policy);
    }

    @Override
    public String toString() {
        return "SubscriptionSpec[" + name + ", capacity " + capacity + ", " + overflow
                + (onConnect.isPresent() ? ", with subscribe message" : "") + "]";
    }
}
