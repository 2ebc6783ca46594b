package dev.flowgentic4j.workflows;

/**
 * A source of nanosecond time for everything the engine measures: start-up durations, uptime and
 * the restart window of a {@link RestartPolicy}. Inject a fake one in {@link EngineConfig} to test
 * time-based behaviour without waiting. Only differences between two readings mean anything.
 * Implementations must be thread-safe.
 *
 * <pre>{@code
 * AtomicLong now = new AtomicLong();
 * EngineConfig config = EngineConfig.builder().ticker(now::get).build();
 * now.addAndGet(Duration.ofMinutes(2).toNanos());   // two minutes pass, at once
 * }</pre>
 */
@FunctionalInterface
public interface Ticker {

    /** The current reading, in nanoseconds from an arbitrary origin. */
    long read();

    /** The system's monotonic clock, {@link System#nanoTime()}. */
    static Ticker systemTicker() {
        return SystemTicker.INSTANCE;
    }
}

/** {@link Ticker#systemTicker()}. */
enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long read() {
        return System.nanoTime();
    }
}
