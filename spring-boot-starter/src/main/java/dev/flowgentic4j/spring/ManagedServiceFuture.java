package dev.flowgentic4j.spring;

import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.ServiceCall;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceListener;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.flowgentic4j.workflows.telemetry.Telemetry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The handle of a service declared as a bean: the one object injected wherever {@code ServiceFuture<S>}
 * is asked for, for the whole life of the context. It starts the service at context start-up (or at
 * its first use, if lazy), and stays the same object when a FAILED or stopped service is started anew
 * from the Actuator endpoint; everything else, {@link #restart()} included, is the engine's
 * {@link ServiceFuture} behind it. Thread-safe:
 * reads take no lock; starting and restarting take this handle's own lock only.
 */
final class ManagedServiceFuture<S> implements ServiceFuture<S> {
    private final String name;
    private final String beanName;
    private final ServiceTask<Object, S> task;
    private final Telemetry telemetry;
    private final boolean required;
    private final boolean lazy;
    private final Class<?> type;
    private final Runnable onChange;
    private final Object lock = new Object();
    private final Object restartLock = new Object();
    private final List<Registration> listeners = new CopyOnWriteArrayList<>();

    private volatile ServiceFuture<S> current; // null until the first start
    private volatile boolean closed;
    private volatile boolean restarting;
    private volatile int generationBase;       // generations of the instances replaced by replaceInstance()
    private volatile long callBase;
    private volatile long failedCallBase;
    private volatile long refusedCallBase;
    private volatile long retriedCallBase;
    private volatile long manualRestarts;

    private record Registration(ServiceListener listener, Executor executor) {}

    @SuppressWarnings("unchecked")
    ManagedServiceFuture(String beanName, ServiceTask<?, S> task, Telemetry telemetry, boolean required, boolean lazy,
            Class<?> type, Runnable onChange) {
        this.telemetry = telemetry;
        this.name = task.name();
        this.beanName = beanName;
        this.task = (ServiceTask<Object, S>) task;
        this.required = required;
        this.lazy = lazy;
        this.type = type;
        this.onChange = onChange;
    }

    String beanName() {
        return beanName;
    }

    boolean required() {
        return required;
    }

    boolean lazy() {
        return lazy;
    }

    /** The service's type as declared by its bean ({@code Object} when it cannot be told). */
    Class<?> type() {
        return type;
    }

    /** The engine's handle of the live instance, if the service was started. */
    Optional<ServiceFuture<S>> delegate() {
        return Optional.ofNullable(current);
    }

    /** Replacements done through {@link #replaceInstance()}. */
    long manualRestarts() {
        return manualRestarts;
    }

    /** Starts the service unless it was started already; returns the engine's handle. */
    ServiceFuture<S> started() {
        ServiceFuture<S> f = current;
        if (f != null) {
            return f;
        }
        synchronized (lock) {
            if (current == null) {
                if (closed) {
                    throw new CancellationException("service '" + name + "' was stopped before its first use");
                }
                current = startInstance();
            }
            return current;
        }
    }

    private ServiceFuture<S> startInstance() {
        ServiceFuture<S> f = task.start(null);
        f.addListener(new ChangeListener(), Runnable::run);
        for (Registration r : listeners) {
            f.addListener(r.listener(), r.executor());
        }
        return f;
    }

    /**
     * Stops the engine's handle (if it still runs) and starts a new one of the same task behind this
     * same handle: how a FAILED or stopped service comes back (a RUNNING one is restarted by the
     * engine, {@link #restart()}). Calls made while the old instance stops fail with
     * {@code ServiceUnavailableException}; later calls reach the new instance. Blocks until the old
     * instance is stopped; the new one's cold start runs on.
     *
     * @throws IllegalStateException if the context is closing
     */
    ServiceFuture<S> replaceInstance() {
        synchronized (restartLock) {
            if (closed) {
                throw new IllegalStateException("service '" + name + "' is stopped with its application context");
            }
            restarting = true;
            try {
                ServiceFuture<S> old = current;
                if (old != null) {
                    old.cancel(true);
                }
                synchronized (lock) {
                    if (closed) {
                        throw new IllegalStateException("service '" + name
                                + "' is stopped with its application context");
                    }
                    if (old != null) {
                        generationBase += old.generation();
                        callBase += old.callCount();
                        failedCallBase += old.failedCallCount();
                        refusedCallBase += old.refusedCallCount();
                        retriedCallBase += old.retriedCallCount();
                    }
                    current = startInstance();
                    manualRestarts++;
                }
            } finally {
                restarting = false;
            }
            onChange.run();
            return current;
        }
    }

    /** Marks the handle closed: a lazy service that never started stays unstarted. */
    void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** The telemetry of the integration that runs the service, started or not. */
    @Override
    public Telemetry telemetry() {
        return telemetry;
    }

    @Override
    public String id() {
        ServiceFuture<S> f = current;
        return f != null ? f.id() : name + "#0";
    }

    @Override
    public ServiceState state() {
        ServiceFuture<S> f = current;
        if (f == null) {
            return closed ? ServiceState.TERMINATED : ServiceState.NEW;
        }
        return f.state();
    }

    @Override
    public boolean isRestarting() {
        ServiceFuture<S> f = current;
        return restarting || (f != null && f.isRestarting());
    }

    @Override
    public Optional<Throwable> failureCause() {
        ServiceFuture<S> f = current;
        return f != null ? f.failureCause() : Optional.empty();
    }

    @Override
    public Optional<Duration> startupDuration() {
        ServiceFuture<S> f = current;
        return f != null ? f.startupDuration() : Optional.empty();
    }

    @Override
    public Duration uptime() {
        ServiceFuture<S> f = current;
        return f != null ? f.uptime() : Duration.ZERO;
    }

    @Override
    public int generation() {
        ServiceFuture<S> f = current;
        return f != null ? generationBase + f.generation() : generationBase;
    }

    @Override
    public HealthStatus health() {
        ServiceFuture<S> f = current;
        return f != null ? f.health() : HealthStatus.UNKNOWN;
    }

    @Override
    public int inFlightCalls() {
        ServiceFuture<S> f = current;
        return f != null ? f.inFlightCalls() : 0;
    }

    @Override
    public long callCount() {
        ServiceFuture<S> f = current;
        return callBase + (f != null ? f.callCount() : 0);
    }

    @Override
    public long failedCallCount() {
        ServiceFuture<S> f = current;
        return failedCallBase + (f != null ? f.failedCallCount() : 0);
    }

    @Override
    public long refusedCallCount() {
        ServiceFuture<S> f = current;
        return refusedCallBase + (f != null ? f.refusedCallCount() : 0);
    }

    @Override
    public long retriedCallCount() {
        ServiceFuture<S> f = current;
        return retriedCallBase + (f != null ? f.retriedCallCount() : 0);
    }

    /**
     * The engine's restart of the live instance (a new generation is cold-started beside it and takes
     * over once RUNNING), behind this same handle.
     *
     * @return as {@link ServiceFuture#restart()}; fails with {@link IllegalStateException} if the service
     *     has not started yet
     */
    @Override
    public CompletableFuture<Integer> restart() {
        ServiceFuture<S> f = current;
        if (f == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("service '" + name
                    + "' has not started yet: there is no instance to restart"));
        }
        int base = generationBase;
        return f.restart().thenApply(generation -> base + generation);
    }

    /** {@link #restart()} with new start arguments; see {@link ServiceFuture#update(Object)}. */
    @Override
    public CompletableFuture<Integer> update(Object newArgs) {
        ServiceFuture<S> f = current;
        if (f == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("service '" + name
                    + "' has not started yet: there is no instance to update"));
        }
        int base = generationBase;
        return f.update(newArgs).thenApply(generation -> base + generation);
    }

    @Override
    public S join() {
        return started().join();
    }

    @Override
    public S awaitRunning(Duration timeout) throws TimeoutException {
        return started().awaitRunning(timeout);
    }

    @Override
    public <R> R call(Duration readyTimeout, ServiceCall<? super S, R> call) {
        return started().call(readyTimeout, call);
    }

    @Override
    public <R> CompletableFuture<R> callAsync(Duration readyTimeout, ServiceCall<? super S, R> call) {
        return started().callAsync(readyTimeout, call);
    }

    @Override
    public CompletableFuture<S> toCompletableFuture() {
        return started().toCompletableFuture();
    }

    @Override
    public CompletableFuture<Void> stopAsync() {
        close();
        ServiceFuture<S> f = current;
        return f != null ? f.stopAsync() : CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        close();
        ServiceFuture<S> f = current;
        return f == null || f.cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean isCancelled() {
        ServiceFuture<S> f = current;
        return f != null ? f.isCancelled() : closed;
    }

    @Override
    public boolean isDone() {
        ServiceFuture<S> f = current;
        return f != null ? f.isDone() : closed;
    }

    @Override
    public S get() throws InterruptedException, ExecutionException {
        return started().get();
    }

    @Override
    public S get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return started().get(timeout, unit);
    }

    /** Adds {@code listener} to the live instance and to every instance a restart brings. */
    @Override
    public void addListener(ServiceListener listener, Executor executor) {
        java.util.Objects.requireNonNull(listener, "listener");
        java.util.Objects.requireNonNull(executor, "executor");
        synchronized (lock) {
            listeners.add(new Registration(listener, executor));
            if (current != null) {
                current.addListener(listener, executor);
            }
        }
    }

    @Override
    public String toString() {
        return "ServiceFuture[" + name + ", bean " + beanName + ", " + state() + "]";
    }

    /** Tells the registry about every change that can move readiness. */
    private final class ChangeListener implements ServiceListener {
        @Override
        public void running(ServiceFuture<?> service) {
            onChange.run();
        }

        @Override
        public void stopping(ServiceFuture<?> service, ServiceState from) {
            onChange.run();
        }

        @Override
        public void terminated(ServiceFuture<?> service, ServiceState from) {
            onChange.run();
        }

        @Override
        public void failed(ServiceFuture<?> service, ServiceState from, Throwable failure) {
            onChange.run();
        }

        @Override
        public void healthChanged(ServiceFuture<?> service, HealthStatus health) {
            onChange.run();
        }

        @Override
        public void restarted(ServiceFuture<?> service, int generation) {
            onChange.run();
        }
    }
}
