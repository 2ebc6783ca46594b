package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.BackendWork;
import dev.flowgentic4j.workflows.Checks;
import dev.flowgentic4j.workflows.FlowgenticException;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceCall;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceListener;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceUnavailableException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one service instance, and its handle. Every transition happens under the
 * engine's shared lock, so the engine's snapshot by state is consistent.
 */
public final class ManagedService<A, S> implements ServiceFuture<S> {
    private static final Logger log = LoggerFactory.getLogger(ManagedService.class);

    private final Object lock;
    private final Backend backend;
    private final ServiceDefinition<A, S> definition;
    private final A args;
    private final String id;
    private final RetryConfig retry;
    private final Duration stopTimeout;
    private final CompletableFuture<S> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final List<Registration> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder calls = new LongAdder();
    private final LongAdder failedCalls = new LongAdder();
    private final Object dispatchLock = new Object();
    private final Queue<Runnable> pendingEvents = new ArrayDeque<>(); // guarded by lock

    // guarded by lock
    private ServiceState state = ServiceState.NEW;
    private S instance;
    private Throwable failure;
    private boolean cancelled;
    private long startNanos;
    private long runningNanos;
    private long stoppedNanos;
    private RetryingRun<S> run;

    public ManagedService(Object lock, Backend backend, ServiceDefinition<A, S> definition, A args, String id,
                          RetryConfig retry, Duration stopTimeout) {
        this.lock = lock;
        this.backend = backend;
        this.definition = definition;
        this.args = args;
        this.id = id;
        this.retry = retry;
        this.stopTimeout = stopTimeout;
    }

    /** Begins the cold start on the backend. Called once, by the engine. */
    public void start() {
        List<Runnable> events;
        synchronized (lock) {
            startNanos = System.nanoTime();
            events = moveTo(ServiceState.STARTING, null);
        }
        fire(events);
        log.debug("service '{}' starting", id);
        RetryingRun<S> started = RetryingRun.start(backend, "service '" + id + "' start",
                this::coldStart, retry,
                (attempts, cause) -> new ServiceFailedException(id,
                        "failed to start after " + attempts + (attempts == 1 ? " attempt" : " attempts"), cause),
                this::stopOrphan);
        synchronized (lock) {
            run = started;
        }
        started.result().whenComplete(this::startEnded);
    }

    private S coldStart() throws Exception {
        S started = definition.initializer().start(args);
        if (started == null) {
            throw new NullPointerException("the initializer of service '" + id + "' returned null");
        }
        return started;
    }

    private void startEnded(S started, Throwable error) {
        List<Runnable> events;
        S orphan = null;
        synchronized (lock) {
            if (error == null && state == ServiceState.STARTING) {
                instance = started;
                runningNanos = System.nanoTime();
                events = moveTo(ServiceState.RUNNING, null);
            } else if (error == null) {
                orphan = started; // cancelled while the last attempt was finishing
                events = List.of();
            } else if (state == ServiceState.STARTING) {
                events = moveTo(ServiceState.FAILED, RetryingRun.unwrap(error));
            } else {
                events = List.of();
            }
        }
        fire(events);
        if (orphan != null) {
            stopOrphan(orphan);
        }
        synchronized (lock) {
            if (state == ServiceState.STOPPING && instance == null) {
                events = moveTo(ServiceState.TERMINATED, null);
            } else {
                events = List.of();
            }
        }
        fire(events);
    }

    private void stopOrphan(S orphan) {
        try {
            runStopAction(orphan);
            log.debug("service '{}': stopped an instance that arrived after cancel or timeout", id);
        } catch (Exception e) {
            log.warn("service '{}': could not stop an instance that arrived after cancel or timeout", id, e);
        }
    }

    private void runStopAction(S target) throws Exception {
        Optional<dev.flowgentic4j.workflows.ServiceStopper<? super S>> stopper = definition.stopper();
        if (stopper.isPresent()) {
            stopper.get().stop(target);
        } else if (target instanceof AutoCloseable) {
            ((AutoCloseable) target).close();
        }
    }

    @Override
    public CompletableFuture<Void> stopAsync() {
        List<Runnable> events;
        S toStop = null;
        RetryingRun<S> startRun = null;
        synchronized (lock) {
            switch (state) {
                case NEW:
                    events = moveTo(ServiceState.TERMINATED, null);
                    break;
                case STARTING:
                    stoppedNanos = System.nanoTime();
                    events = moveTo(ServiceState.STOPPING, null);
                    startRun = run;
                    break;
                case RUNNING:
                    stoppedNanos = System.nanoTime();
                    events = moveTo(ServiceState.STOPPING, null);
                    toStop = instance;
                    break;
                default:
                    return terminated.copy();
            }
        }
        ready.completeExceptionally(new CancellationException("service '" + id + "' was stopped before it was RUNNING"));
        fire(events);
        Future<?> deadline = scheduleStopDeadline();
        if (startRun != null) {
            startRun.cancel();
        } else if (toStop != null) {
            stopInBackground(toStop, deadline);
        }
        return terminated.copy();
    }

    private Future<?> scheduleStopDeadline() {
        try {
            return backend.schedule(() -> stopEnded(new TimeoutException(
                    "stop did not finish within " + stopTimeout + "; abandoned")), stopTimeout);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    private void stopInBackground(S target, Future<?> deadline) {
        BackendWork<Void> work;
        try {
            work = backend.submit("service '" + id + "' stop", () -> {
                runStopAction(target);
                return null;
            });
        } catch (RejectedExecutionException e) {
            Throwable outcome = null;
            try {
                runStopAction(target);
            } catch (Exception stopFailure) {
                outcome = stopFailure;
            }
            deadline.cancel(false);
            stopEnded(outcome);
            return;
        }
        work.outcome().whenComplete((ignored, error) -> {
            deadline.cancel(false);
            stopEnded(error == null ? null : RetryingRun.unwrap(error));
        });
        terminated.whenComplete((ignored, error) -> work.cancel()); // a stop abandoned at its deadline is interrupted
    }

    private void stopEnded(Throwable stopFailure) {
        List<Runnable> events;
        synchronized (lock) {
            if (state != ServiceState.STOPPING) {
                return;
            }
            events = stopFailure == null
                    ? moveTo(ServiceState.TERMINATED, null)
                    : moveTo(ServiceState.FAILED, new ServiceFailedException(id, "failed to stop", stopFailure));
        }
        fire(events);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        synchronized (lock) {
            if (state.isTerminal() || cancelled) {
                return false;
            }
            cancelled = true;
        }
        CompletableFuture<Void> stopped = stopAsync();
        try {
            stopped.get(stopTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            log.warn("service '{}' did not stop cleanly: {}", id, e.getMessage());
        }
        return true;
    }

    /**
     * Moves to {@code next} (caller holds the lock) and returns what to do once the lock is released:
     * complete the futures (listener events are queued, in order). No foreign code runs under the lock.
     */
    private List<Runnable> moveTo(ServiceState next, Throwable cause) {
        ServiceState from = state;
        if (from.isTerminal() || next.compareTo(from) <= 0) {
            throw new IllegalStateException("service '" + id + "' cannot move from " + from + " to " + next);
        }
        state = next;
        List<Runnable> actions = new ArrayList<>(listeners.size() + 2);
        if (next == ServiceState.RUNNING) {
            S live = instance;
            actions.add(() -> ready.complete(live));
        } else if (next == ServiceState.FAILED && from == ServiceState.STARTING) {
            actions.add(() -> ready.completeExceptionally(cause));
        }
        if (next == ServiceState.FAILED) {
            failure = cause;
            actions.add(() -> terminated.completeExceptionally(cause));
        } else if (next == ServiceState.TERMINATED) {
            actions.add(() -> terminated.complete(null));
        }
        if (next.isTerminal()) {
            instance = null;
        }
        for (Registration r : listeners) {
            pendingEvents.add(r.event(this, from, next, cause));
        }
        return actions;
    }

    /** Delivers queued listener events in transition order, then completes the futures. */
    private void fire(List<Runnable> actions) {
        synchronized (dispatchLock) {
            while (true) {
                Runnable event;
                synchronized (lock) {
                    event = pendingEvents.poll();
                }
                if (event == null) {
                    break;
                }
                event.run();
            }
        }
        actions.forEach(Runnable::run);
    }

    // ---- awaiting ----

    private S await(long timeoutNanos) throws TimeoutException {
        try {
            if (timeoutNanos < 0) {
                ready.get();
            } else {
                ready.get(timeoutNanos, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceUnavailableException(id, state(), "interrupted while waiting", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ServiceFailedException) {
                throw (ServiceFailedException) cause;
            }
            throw new ServiceFailedException(id, "failed", cause);
        } catch (TimeoutException e) {
            throw new TimeoutException("service '" + id + "' is " + state() + " after waiting "
                    + Duration.ofNanos(timeoutNanos) + ", expected RUNNING");
        }
        synchronized (lock) {
            if (state == ServiceState.RUNNING) {
                return instance;
            }
            throw new CancellationException("service '" + id + "' was " + (cancelled ? "cancelled" : "stopped")
                    + " (state " + state + ")");
        }
    }

    @Override
    public S join() {
        try {
            return await(-1);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e); // cannot happen without a timeout
        }
    }

    @Override
    public S awaitRunning(Duration timeout) throws TimeoutException {
        return await(Checks.requirePositive(timeout, "timeout").toNanos());
    }

    @Override
    public S get() throws InterruptedException, ExecutionException {
        try {
            return join();
        } catch (ServiceFailedException e) {
            throw new ExecutionException(e.getMessage(), e);
        } catch (ServiceUnavailableException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException(e.getMessage());
            }
            throw e;
        }
    }

    @Override
    public S get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        if (timeout <= 0) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout + " " + unit);
        }
        try {
            return await(unit.toNanos(timeout));
        } catch (ServiceFailedException e) {
            throw new ExecutionException(e.getMessage(), e);
        } catch (ServiceUnavailableException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException(e.getMessage());
            }
            throw e;
        }
    }

    @Override
    public <R> R call(Duration readyTimeout, ServiceCall<? super S, R> call) {
        Objects.requireNonNull(call, "call");
        S live;
        try {
            live = awaitRunning(readyTimeout);
        } catch (TimeoutException e) {
            throw new ServiceUnavailableException(id, state(), "not RUNNING within " + readyTimeout, e);
        } catch (CancellationException e) {
            throw new ServiceUnavailableException(id, state(), "it was stopped", e);
        } catch (ServiceFailedException e) {
            throw new ServiceUnavailableException(id, state(), e.getMessage(), e);
        }
        calls.increment();
        try {
            return call.apply(live);
        } catch (RuntimeException | Error e) {
            failedCalls.increment();
            throw e;
        } catch (Exception e) {
            failedCalls.increment();
            throw new FlowgenticException("call to service '" + id + "' failed: " + e, e);
        }
    }

    // ---- reporting ----

    @Override
    public String name() {
        return definition.name();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public ServiceState state() {
        synchronized (lock) {
            return state;
        }
    }

    /** The state, for a caller already holding the engine lock. */
    public ServiceState stateLocked() {
        return state;
    }

    @Override
    public Optional<Throwable> failureCause() {
        synchronized (lock) {
            return Optional.ofNullable(failure);
        }
    }

    @Override
    public Optional<Duration> startupDuration() {
        synchronized (lock) {
            return runningNanos == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(runningNanos - startNanos));
        }
    }

    @Override
    public Duration uptime() {
        synchronized (lock) {
            if (runningNanos == 0) {
                return Duration.ZERO;
            }
            long end = stoppedNanos != 0 ? stoppedNanos : System.nanoTime();
            return Duration.ofNanos(Math.max(0, end - runningNanos));
        }
    }

    @Override
    public long callCount() {
        return calls.sum();
    }

    @Override
    public long failedCallCount() {
        return failedCalls.sum();
    }

    @Override
    public boolean isCancelled() {
        synchronized (lock) {
            return cancelled;
        }
    }

    @Override
    public boolean isDone() {
        synchronized (lock) {
            return state.compareTo(ServiceState.RUNNING) >= 0;
        }
    }

    @Override
    public CompletableFuture<S> toCompletableFuture() {
        return ready.copy();
    }

    /** Completes when the service reaches a terminal state. */
    public CompletableFuture<Void> terminationFuture() {
        return terminated.copy();
    }

    /** The stop deadline of this instance. */
    public Duration stopTimeout() {
        return stopTimeout;
    }

    @Override
    public void addListener(ServiceListener listener, Executor executor) {
        listeners.add(new Registration(Objects.requireNonNull(listener, "listener"),
                Objects.requireNonNull(executor, "executor")));
    }

    @Override
    public String toString() {
        return "ServiceFuture[" + id + ", " + state() + "]";
    }

    private static final class Registration {
        private final ServiceListener listener;
        private final Executor executor;

        Registration(ServiceListener listener, Executor executor) {
            this.listener = listener;
            this.executor = executor;
        }

        Runnable event(ServiceFuture<?> service, ServiceState from, ServiceState to, Throwable cause) {
            Consumer<ServiceListener> call;
            switch (to) {
                case STARTING:
                    call = l -> l.starting(service);
                    break;
                case RUNNING:
                    call = l -> l.running(service);
                    break;
                case STOPPING:
                    call = l -> l.stopping(service, from);
                    break;
                case TERMINATED:
                    call = l -> l.terminated(service, from);
                    break;
                case FAILED:
                    call = l -> l.failed(service, from, cause);
                    break;
                default:
                    return () -> { };
            }
            return () -> {
                try {
                    executor.execute(() -> {
                        try {
                            call.accept(listener);
                        } catch (RuntimeException e) {
                            log.warn("listener of service '{}' threw on {}", service.id(), to, e);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    log.warn("listener executor of service '{}' rejected the {} event", service.id(), to);
                }
            };
        }
    }
}
