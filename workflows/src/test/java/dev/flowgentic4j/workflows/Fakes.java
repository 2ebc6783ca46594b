package dev.flowgentic4j.workflows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/** Small fakes and helpers for lifecycle tests. */
final class Fakes {
    private Fakes() {}

    /** Fast retries so that failure tests stay quick. */
    static RetryConfig fastRetry(int attempts) {
        return RetryConfig.builder().maxAttempts(attempts).baseDelay(Duration.ofMillis(5))
                .maxDelay(Duration.ofMillis(20)).build();
    }

    static EngineConfig fastConfig() {
        return EngineConfig.builder().taskRetry(fastRetry(3)).serviceRetry(fastRetry(3))
                .stopTimeout(Duration.ofSeconds(2)).build();
    }

    /** A service instance with a counter and a close() that counts. */
    static class Counter implements AutoCloseable {
        final AtomicInteger value = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final String owner;

        Counter(String owner) {
            this.owner = owner;
        }

        int increment() {
            return value.incrementAndGet();
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    /** A counter whose health can be switched off, as a dropped connection would. */
    static final class Fragile extends Counter {
        final java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();

        Fragile(String owner) {
            super(owner);
        }

        void ping() throws java.io.IOException {
            if (broken.get()) {
                throw new java.io.IOException("ping failed");
            }
        }
    }

    /** Records listener callbacks in order. */
    static final class RecordingListener implements ServiceListener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void starting(ServiceFuture<?> service) {
            events.add("starting");
        }

        @Override
        public void running(ServiceFuture<?> service) {
            events.add("running");
        }

        @Override
        public void stopping(ServiceFuture<?> service, ServiceState from) {
            events.add("stopping from " + from);
        }

        @Override
        public void terminated(ServiceFuture<?> service, ServiceState from) {
            events.add("terminated from " + from);
        }

        @Override
        public void failed(ServiceFuture<?> service, ServiceState from, Throwable failure) {
            events.add("failed from " + from);
        }
    }

    /** Stands for work that hangs: blocks until the thread is interrupted. */
    static void hang() throws InterruptedException {
        new java.util.concurrent.CountDownLatch(1).await();
    }

    /**
     * Whether {@code condition} holds within {@code timeout}, polled by Awaitility every 10 ms on the
     * calling thread (the thread and leak checks count threads: no poller thread of Awaitility's own).
     */
    static boolean eventually(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        try {
            org.awaitility.Awaitility.await().pollInSameThread().atMost(timeout).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10)).until(condition::getAsBoolean);
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    /** Names of live threads this library started. */
    static Set<String> ourThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("flowgentic4j-"))
                .collect(Collectors.toSet());
    }
}
