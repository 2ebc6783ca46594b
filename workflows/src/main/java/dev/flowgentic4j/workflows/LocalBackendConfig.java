package dev.flowgentic4j.workflows;

/**
 * Settings of the embedded local backend ({@link Backend#local(LocalBackendConfig)}): how many
 * threads it may run, how much work may queue for them, and whether its threads are virtual.
 * Immutable.
 *
 * <p>By default the pool is unbounded (a thread per piece of work in flight, reused when idle), as
 * before this option existed. A bound caps the threads; work beyond {@code maxThreads} waits in a
 * FIFO queue of {@code queueCapacity}, and work beyond that is refused with a
 * {@link java.util.concurrent.RejectedExecutionException} naming both limits. The bound covers all
 * the backend's work (cold starts, stops, function tasks, health checks), so leave room for stops.
 *
 * <p>{@code virtualThreads(true)} runs the work on virtual threads on Java 21 or newer (reached
 * through reflection: the library is built for Java 17). On Java 17-20 the backend falls back to
 * platform threads and logs one note saying so; {@link #virtualThreadsAvailable()} tells which.
 *
 * <pre>{@code
 * EngineConfig config = EngineConfig.builder()
 *     .localBackend(LocalBackendConfig.builder().virtualThreads(true).maxThreads(256).queueCapacity(10_000).build())
 *     .build();
 * }</pre>
 */
public final class LocalBackendConfig {
    /** No cap on threads. */
    public static final int UNBOUNDED = Integer.MAX_VALUE;
    public static final int DEFAULT_MAX_THREADS = UNBOUNDED;
    public static final int DEFAULT_QUEUE_CAPACITY = 0;

    private final int maxThreads;
    private final int queueCapacity;
    private final boolean virtualThreads;

    private LocalBackendConfig(Builder b) {
        this.maxThreads = b.maxThreads;
        this.queueCapacity = b.queueCapacity;
        this.virtualThreads = b.virtualThreads;
    }

    /** Unbounded platform threads: the behaviour of {@link Backend#local()}. */
    public static LocalBackendConfig ofDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether this JVM offers virtual threads (Java 21 or newer). */
    public static boolean virtualThreadsAvailable() {
        return dev.flowgentic4j.workflows.spi.VirtualThreads.available();
    }

    /** Most threads running work at once; {@link #UNBOUNDED} by default. */
    public int maxThreads() {
        return maxThreads;
    }

    /** Work that may wait for a thread once {@link #maxThreads()} are busy (0: none waits, it is refused). */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** Whether virtual threads were asked for (they are used only where {@link #virtualThreadsAvailable()}). */
    public boolean virtualThreads() {
        return virtualThreads;
    }

    public boolean bounded() {
        return maxThreads != UNBOUNDED;
    }

    @Override
    public String toString() {
        return "LocalBackendConfig[maxThreads=" + (bounded() ? maxThreads : "unbounded") + ", queueCapacity="
                + queueCapacity + ", virtualThreads=" + virtualThreads + "]";
    }

    /** Builds a {@link LocalBackendConfig}; each setter checks its argument at once. */
    public static final class Builder {
        private int maxThreads = DEFAULT_MAX_THREADS;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private boolean virtualThreads;

        private Builder() {}

        /** @throws IllegalArgumentException if {@code maxThreads} is below 1 */
        public Builder maxThreads(int maxThreads) {
            if (maxThreads < 1) {
                throw new IllegalArgumentException("maxThreads must be >= 1, was " + maxThreads);
            }
            this.maxThreads = maxThreads;
            return this;
        }

        /** @throws IllegalArgumentException if {@code queueCapacity} is negative */
        public Builder queueCapacity(int queueCapacity) {
            if (queueCapacity < 0) {
                throw new IllegalArgumentException("queueCapacity must be >= 0, was " + queueCapacity);
            }
            this.queueCapacity = queueCapacity;
            return this;
        }

        /** Virtual threads on Java 21+; platform threads (with a logged note) before. */
        public Builder virtualThreads(boolean virtualThreads) {
            this.virtualThreads = virtualThreads;
            return this;
        }

        /** @throws IllegalArgumentException if a queue is set without {@code maxThreads} (an unbounded pool never queues) */
        public LocalBackendConfig build() {
            if (queueCapacity > 0 && maxThreads == UNBOUNDED) {
                throw new IllegalArgumentException("queueCapacity (" + queueCapacity
                        + ") needs maxThreads: an unbounded pool never queues");
            }
            return new LocalBackendConfig(this);
        }
    }
}
