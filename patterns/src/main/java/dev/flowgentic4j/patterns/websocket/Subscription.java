package dev.flowgentic4j.patterns.websocket;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The inbound messages of one {@link SubscriptionSpec}, in a bounded buffer of its own that
 * outlives reconnects: a graph node or an agent tool takes them with {@link #poll(Duration)},
 * {@link #drain(int)} or {@link #latest()}. What happens when the buffer is full is the spec's
 * {@link OverflowPolicy}, and every drop or wait is counted ({@link #stats()}). Thread-safe; each
 * subscription has its own lock.
 *
 * <pre>{@code
 * Subscription prices = service.subscription("prices");
 * Optional<String> next = prices.poll(Duration.ofSeconds(1));
 * }</pre>
 */
public final class Subscription {
    /**
     * A subscription's counters.
     *
     * @param offered messages that matched its filter
     * @param taken messages handed to consumers
     * @param droppedOldest buffered messages dropped to make room ({@link OverflowPolicy#DROP_OLDEST})
     * @param droppedNewest arriving messages dropped ({@link OverflowPolicy#DROP_NEWEST})
     * @param blocked times the reader waited for room ({@link OverflowPolicy#BLOCK})
     * @param blockedTime the total of those waits
     * @param buffered messages waiting in the buffer now
     * @param restored subscribe messages sent again on a new connection
     */
    public record Stats(String name, OverflowPolicy overflow, int capacity, long offered, long taken,
                        long droppedOldest, long droppedNewest, long blocked, Duration blockedTime, int buffered,
                        long restored) {}

    private final SubscriptionSpec spec;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<String> buffer;
    // guarded by lock
    private boolean closed;
    private long offered;
    private long taken;
    private long droppedOldest;
    private long droppedNewest;
    private long blocked;
    private long blockedNanos;
    private long restored;

    Subscription(SubscriptionSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.buffer = new ArrayDeque<>(Math.min(spec.capacity(), 1024));
    }

    public String name() {
        return spec.name();
    }

    public SubscriptionSpec spec() {
        return spec;
    }

    /**
     * Adds a message that matched the filter, by the overflow policy. Under {@code BLOCK} waits for
     * room; returns false if the subscription was closed meanwhile (the message is then dropped).
     */
    boolean offer(String message, Runnable onBlock, Runnable onUnblock) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            offered++;
            if (buffer.size() >= spec.capacity()) {
                switch (spec.overflow()) {
                    case DROP_OLDEST -> {
                        buffer.pollFirst();
                        droppedOldest++;
                    }
                    case DROP_NEWEST -> {
                        droppedNewest++;
                        return true;
                    }
                    case BLOCK -> {
                        blocked++;
                        long start = System.nanoTime();
                        onBlock.run();
                        try {
                            while (buffer.size() >= spec.capacity() && !closed) {
                                notFull.awaitUninterruptibly();
                            }
                        } finally {
                            blockedNanos += System.nanoTime() - start;
                            onUnblock.run();
                        }
                        if (closed) {
                            return false;
                        }
                    }
                }
            }
            buffer.addLast(message);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    void countRestored() {
        lock.lock();
        try {
            restored++;
        } finally {
            lock.unlock();
        }
    }

    /** The oldest buffered message, if any, without waiting. */
    public Optional<String> poll() {
        lock.lock();
        try {
            return Optional.ofNullable(take());
        } finally {
            lock.unlock();
        }
    }

    /**
     * The oldest buffered message, waiting up to {@code timeout} for one; empty if none came or the
     * subscription is closed and empty.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public Optional<String> poll(Duration timeout) throws InterruptedException {
        long nanos = Objects.requireNonNull(timeout, "timeout").toNanos();
        lock.lockInterruptibly();
        try {
            while (buffer.isEmpty() && !closed && nanos > 0) {
                nanos = notEmpty.awaitNanos(nanos);
            }
            return Optional.ofNullable(take());
        } finally {
            lock.unlock();
        }
    }

    /** Up to {@code max} buffered messages, oldest first, without waiting. */
    public List<String> drain(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1, was " + max);
        }
        lock.lock();
        try {
            List<String> out = new ArrayList<>(Math.min(max, buffer.size()));
            String next;
            while (out.size() < max && (next = take()) != null) {
                out.add(next);
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The newest buffered message, taking every buffered message (for a feed where only the last
     * value matters); empty if the buffer is empty.
     */
    public Optional<String> latest() {
        lock.lock();
        try {
            String last = null;
            String next;
            while ((next = take()) != null) {
                last = next;
            }
            return Optional.ofNullable(last);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Like {@link #latest()}, but waits up to {@code timeout} for a first message if the buffer is empty.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public Optional<String> latest(Duration timeout) throws InterruptedException {
        Optional<String> first = poll(timeout);
        if (first.isEmpty()) {
            return first;
        }
        return latest().or(() -> first);
    }

    private String take() {
        String message = buffer.pollFirst();
        if (message != null) {
            taken++;
            notFull.signal();
        }
        return message;
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the buffer: waiting readers and consumers return; buffered messages can still be taken. */
    void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(spec.name(), spec.overflow(), spec.capacity(), offered, taken, droppedOldest, droppedNewest,
                    blocked, Duration.ofNanos(blockedNanos), buffer.size(), restored);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Subscription[" + spec.name() + "]";
    }
}
