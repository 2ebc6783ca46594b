package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.BackendWork;
import dev.flowgentic4j.workflows.LocalBackendConfig;
import dev.flowgentic4j.workflows.spi.VirtualThreads;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded backend: a thread pool for work, one timer thread and a pool that runs what the
 * timer fires. The timer thread runs no action itself: each scheduled action is handed to the
 * timer-action pool, unbounded and apart from the work pool, so that an action that reaches user
 * code (a listener told of a deadline, a health verdict) delays neither the other deadlines nor
 * anything else, and a full work pool never holds a deadline up. It knows its threads, so a
 * shutdown called from one of them (a listener or a stop that closes the engine) waits for the
 * others but not for itself. The pool is unbounded by default, or capped with a FIFO queue and a
 * refusal that names the limits, on platform or (Java 21+) virtual threads: see
 * {@link LocalBackendConfig}.
 */
public final class LocalBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(LocalBackend.class);

    /** Prefix of every thread this library starts. */
    public static final String THREAD_PREFIX = "flowgentic4j-";

    private final String name;
    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor timer;
    private final ThreadPoolExecutor timerActions;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final LocalBackendConfig config;
    private final boolean virtual;

    /** An unbounded pool of platform threads. */
    public LocalBackend(String name) {
        this(name, LocalBackendConfig.ofDefaults());
    }

    public LocalBackend(String name, LocalBackendConfig config) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = Objects.requireNonNull(config, "config");
        this.virtual = config.virtualThreads() && VirtualThreads.available();
        if (config.virtualThreads() && !virtual) {
            log.info("local backend '{}': virtual threads need Java 21 or newer, this is Java {}; using platform threads",
                    name, Runtime.version().feature());
        }
        ThreadFactory base = virtual ? VirtualThreads.factory() : Thread::new;
        String prefix = THREAD_PREFIX + name + "-";
        if (config.bounded()) {
            int max = config.maxThreads();
            this.workers = config.queueCapacity() == 0
                    ? new ThreadPoolExecutor(0, max, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                            threads(base, prefix), this::refuse)
                    : new ThreadPoolExecutor(max, max, 30, TimeUnit.SECONDS,
                            new LinkedBlockingQueue<>(config.queueCapacity()), threads(base, prefix), this::refuse);
            this.workers.allowCoreThreadTimeOut(true);
        } else {
            this.workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), threads(base, prefix), this::refuse);
        }
        this.timer = new ScheduledThreadPoolExecutor(1, threads(Thread::new, prefix + "timer-"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.timerActions = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                threads(base, prefix + "timed-"), (action, pool) -> {
                    throw new RejectedExecutionException("local backend '" + name + "' is closed");
                });
    }

    private void refuse(Runnable work, ThreadPoolExecutor pool) {
        if (pool.isShutdown()) {
            throw new RejectedExecutionException("local backend '" + name + "' is closed");
        }
        throw new RejectedExecutionException("local backend '" + name + "' is full: maxThreads = "
                + config.maxThreads() + " busy and queueCapacity = " + config.queueCapacity()
                + " waiting; raise LocalBackendConfig.maxThreads or queueCapacity");
    }

    private ThreadFactory threads(ThreadFactory base, String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread[] self = new Thread[1];
            Thread thread = base.newThread(() -> {
                try {
                    runnable.run();
                } finally {
                    threads.remove(self[0]);
                }
            });
            thread.setName(prefix + count.incrementAndGet());
            self[0] = thread;
            if (!thread.isDaemon()) {
                thread.setDaemon(true);     // virtual threads are daemons already
            }
            threads.add(thread);
            return thread;
        };
    }

    /** Whether the work runs on virtual threads (asked for and available). */
    public boolean usesVirtualThreads() {
        return virtual;
    }

    /** The settings this backend was built with. */
    public LocalBackendConfig config() {
        return config;
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

    /**
     * Runs {@code action} once after {@code delay} on a timer-action thread (never on the timer
     * thread itself, which only hands it over); dropped if the backend closes meanwhile.
     */
    @Override
    public Future<?> schedule(Runnable action, Duration delay) {
        Objects.requireNonNull(action, "action");
        return timer.schedule(() -> fire(action), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    }

    private void fire(Runnable action) {
        try {
            timerActions.execute(() -> {
                try {
                    action.run();
                } catch (Throwable t) {
                    log.warn("local backend '{}': a timer action threw", name, t);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed meanwhile: timers do not outlive the backend
        }
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
        timerActions.shutdownNow();
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
        return "LocalBackend[" + name + ", active=" + workers.getActiveCount() + ", " + config
                + (virtual ? ", virtual" : "") + "]";
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
