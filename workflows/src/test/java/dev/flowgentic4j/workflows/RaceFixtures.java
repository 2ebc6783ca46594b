package dev.flowgentic4j.workflows;

import static dev.flowgentic4j.workflows.Fakes.fastRetry;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The skeleton the race tests share: an engine with one attempt per start and a given stop timeout,
 * a body bounded in time that always closes its engine, a body run on a thread of its own whose
 * handle the test can watch, and whether that thread is blocked waiting for something.
 */
final class RaceFixtures {
    private RaceFixtures() {}

    /** What a bounded race test does with its engine. */
    @FunctionalInterface
    interface EngineBody {
        void run(FlowEngine engine) throws Throwable;
    }

    /** An engine that does not retry and stops its services within {@code stopTimeout}. */
    static FlowEngine raceEngine(Duration stopTimeout) {
        return FlowEngine.create(EngineConfig.builder().serviceRetry(fastRetry(1)).taskRetry(fastRetry(1))
                .stopTimeout(stopTimeout).backendShutdownTimeout(Duration.ofSeconds(2)).build());
    }

    /**
     * Runs {@code body} on a {@link #raceEngine} within {@code bound} (failing the test past it, the
     * body interrupted) and closes the engine whatever the body did.
     */
    static void withinBound(Duration bound, Duration stopTimeout, EngineBody body) {
        assertTimeoutPreemptively(bound, () -> {
            FlowEngine engine = raceEngine(stopTimeout);
            try {
                body.run(engine);
            } finally {
                engine.close();
            }
        });
    }

    /** Runs {@code body} on a new daemon thread named {@code name}, published first; returns its outcome. */
    static <T> CompletableFuture<T> onNewThread(String name, AtomicReference<Thread> publish, Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, name);
        thread.setDaemon(true);
        publish.set(thread);
        thread.start();
        return result;
    }

    /** Whether the published thread waits for something (a lock, a latch, a stop it joined). */
    static boolean blocked(AtomicReference<Thread> thread) {
        Thread t = thread.get();
        return t != null && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
    }

    /**
     * Stands for user code that ignores its interrupt: waits up to {@code hold} for {@code latch}
     * whatever interrupts it, then restores the interrupt it swallowed.
     */
    static void awaitIgnoringInterrupts(CountDownLatch latch, Duration hold) {
        long deadline = System.nanoTime() + hold.toNanos();
        boolean interrupted = false;
        while (System.nanoTime() < deadline) {
            try {
                if (latch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts a {@link Fakes.Counter} service named {@code name} whose cold start waits until {@code release} opens. */
    static ServiceFuture<Fakes.Counter> startHeld(FlowEngine engine, String name, String owner, CountDownLatch release) {
        return engine.serviceTask(name, (String o) -> {
            release.await();
            return new Fakes.Counter(o);
        }).start(owner);
    }
}
