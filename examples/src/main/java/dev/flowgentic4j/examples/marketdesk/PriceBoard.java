package dev.flowgentic4j.examples.marketdesk;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * The embedded market's prices: a few symbols whose prices take a small random step at every tick
 * (seeded, so a run is repeatable). Shared by the embedded feed (which publishes them) and the
 * embedded API (which fills orders at them). Thread-safe.
 */
final class PriceBoard {
    private final Map<String, BigDecimal> prices = new TreeMap<>();
    private final Random random = new Random(42);
    private long seq;

    PriceBoard() {
        prices.put("ACME", new BigDecimal("101.25"));
        prices.put("GLOBEX", new BigDecimal("47.80"));
        prices.put("INITECH", new BigDecimal("12.05"));
    }

    synchronized Optional<BigDecimal> price(String symbol) {
        return Optional.ofNullable(prices.get(symbol));
    }

    /** The sequence number of the last tick. */
    synchronized long seq() {
        return seq;
    }

    /** Moves every price by at most 0.5% and returns the new prices with the tick's sequence number. */
    synchronized Tick tick() {
        prices.replaceAll((symbol, price) -> price
                .multiply(BigDecimal.ONE.add(BigDecimal.valueOf((random.nextDouble() - 0.5) / 100)))
                .setScale(2, RoundingMode.HALF_UP));
        return new Tick(++seq, Map.copyOf(prices));
    }

    record Tick(long seq, Map<String, BigDecimal> prices) {}
}
