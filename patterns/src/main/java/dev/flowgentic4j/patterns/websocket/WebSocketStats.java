package dev.flowgentic4j.patterns.websocket;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of a {@link WebSocketService}'s counters, from its start.
 *
 * @param state the connection's state now
 * @param generation the number of the current (or last) connection: 1 for the first, one more per reconnect
 * @param connects connections opened (the first one included)
 * @param connectFailures reconnect attempts that failed
 * @param disconnects connections lost while the service ran
 * @param sent messages sent (requests and subscribe messages included)
 * @param sendFailures sends that failed or timed out
 * @param received text messages received
 * @param replies replies matched to a request
 * @param noReply requests whose reply did not come in time
 * @param repliesLost requests whose connection was lost before the reply
 * @param unrouted messages that were neither a reply nor taken by a subscription
 * @param filterErrors subscription filters that threw
 * @param pings pings sent
 * @param pongs pongs received for them
 * @param missedPongs pings whose pong did not come in time (each one ends its connection)
 * @param binaryDropped binary messages dropped ({@link WebSocketSettings.BinaryFrames})
 * @param oversized connections closed with 1009 because an inbound message was too large
 * @param badPayload connections closed with 1007 because a text message was not valid UTF-8
 * @param lastPongRoundTrip the round trip of the last pong, if one came
 * @param lastDisconnect why the last connection ended, if one did
 * @param subscriptions each subscription's counters
 */
public record WebSocketStats(WebSocketService.ConnectionState state, long generation, long connects,
                             long connectFailures, long disconnects, long sent, long sendFailures, long received,
                             long replies, long noReply, long repliesLost, long unrouted, long filterErrors,
                             long pings, long pongs, long missedPongs, long binaryDropped, long oversized,
                             long badPayload, Optional<Duration> lastPongRoundTrip, Optional<String> lastDisconnect,
                             List<Subscription.Stats> subscriptions) {

    /** The counters of the subscription {@code name}. */
    public Optional<Subscription.Stats> subscription(String name) {
        return subscriptions.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Reconnects so far: connections opened after the first. */
    public long reconnects() {
        return Math.max(0, connects - 1);
    }
}
