package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.BackendWork;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded backend: a cached thread pool for work and one timer thread. It knows its threads,
 * so a shutdown called from one of them (a listener or a stop that closes the engine) waits for
 * the others but not for itself.
 */
public final class LocalBackend implements Backend {

    /** Prefix of every thread this library starts. */
    public static final String THREAD_PREFIX = "flowgentic4j-";

    private final String name;
    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor timer;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    public LocalBackend(String name) {
        this.name = Objects.requireNonNull(name, "name");
        this.workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), threads(THREAD_PREFIX + name + "-"));
        this.timer = new ScheduledThreadPoolExecutor(1, threads(THREAD_PREFIX + name + "-timer-"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    private ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread[] self = new Thread[1];
            Thread thread = new Thread(() -> {
                try {
                    runnable.run();
                } finally {
                    threads.remove(self[0]);
                }
            }, prefix + count.incrementAndGet());
            self[0] = thread;
            thread.setDaemon(true);
            threads.add(thread);
            return thread;
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public <T> BackendWork<T> submit(String label, Callable<T> work) {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(work, "work");
        Work<T> unit = new Work<>(label, work);
        workers.execute(unit);
        return unit;
    }

    @Override
    public Future<?> schedule(Runnable action, Duration delay) {
        Objects.requireNonNull(action, "action");
        return timer.schedule(action, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean isClosed() {
        return workers.isShutdown();
    }

    /**
     * Interrupts the work still running and waits up to {@code timeout} for every backend thread to
     * end, except the calling thread if it is one of them (it cannot wait for itself; its interrupt
     * status is left as it was).
     */
    @Override
    public boolean shutdown(Duration timeout) {
        Thread current = Thread.currentThread();
        boolean ours = threads.contains(current);
        boolean wasInterrupted = current.isInterrupted();
        timer.shutdownNow();
        workers.shutdownNow();
        if (ours && !wasInterrupted) {
            Thread.interrupted(); // shutdownNow interrupted this thread too
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Thread thread : List.copyOf(threads)) {
                if (thread != current) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return !hasOtherThreads(current);
                    }
                    TimeUnit.NANOSECONDS.timedJoin(thread, left);
                }
            }
            return !hasOtherThreads(current);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean hasOtherThreads(Thread current) {
        return threads.stream().anyMatch(t -> t != current && t.isAlive());
    }

    @Override
    public String toString() {
        return "LocalBackend[" + name + ", active=" + workers.getActiveCount() + "]";
    }

    /** Runs a callable once; completes its outcome only after the callable has returned or thrown. */
    private static final class Work<T> implements BackendWork<T>, Runnable {
        private static final int PENDING = 0;
        private static final int RUNNING = 1;
        private static final int ENDED = 2;

        private final String label;
        private final Callable<T> callable;
        private final CompletableFuture<T> outcome = new CompletableFuture<>();
        private int state = PENDING;
        private Thread runner;

        Work(String label, Callable<T> callable) {
            this.label = label;
            this.callable = callable;
        }

        @Override
        public void run() {
            synchronized (this) {
                if (state != PENDING) {
                    return;
                }
                state = RUNNING;
                runner = Thread.currentThread();
            }
            Thread thread = Thread.currentThread();
            String oldName = thread.getName();
            thread.setName(oldName + " [" + label + "]");
            T result = null;
            Throwable failure = null;
            try {
                result = callable.call();
            } catch (Throwable t) {
                failure = t;
            } finally {
                synchronized (this) {
                    state = ENDED;
                    runner = null;
                }
                Thread.interrupted(); // a late cancel() must not leak into the pool thread
                thread.setName(oldName);
            }
            if (failure == null) {
                outcome.complete(result);
            } else {
                outcome.completeExceptionally(failure);
            }
        }

        @Override
        public CompletableFuture<T> outcome() {
            return outcome;
        }

        @Override
        public void cancel() {
            synchronized (this) {
                if (state == PENDING) {
                    state = ENDED;
                } else {
                    if (runner != null) {
                        runner.interrupt();
                    }
                    return;
                }
            }
            outcome.completeExceptionally(new CancellationException(label + " was cancelled before it started"));
        }
    }
}
