package dev.flowgentic4j.workflows;

import dev.flowgentic4j.workflows.internal.LocalBackend;
import dev.flowgentic4j.workflows.internal.RetryingRun;
import dev.flowgentic4j.workflows.internal.TelemetryAccess;
import dev.flowgentic4j.workflows.internal.replicas.ReplicatedService;
import dev.flowgentic4j.workflows.internal.service.ManagedService;
import dev.flowgentic4j.workflows.spi.Checks;
import dev.flowgentic4j.workflows.spi.Futures;
import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.CallSpan;
import dev.flowgentic4j.workflows.telemetry.Telemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine-level API: registers function and service tasks, runs them on its {@link Backend},
 * tracks every service instance, and stops them all, in reverse start order, on {@link #close()}.
 * It has no LangGraph4j or langchain4j types: use it directly to embed persistent services in plain
 * Java. With LangGraph4j or langchain4j, {@code LangGraphIntegration} (integration module) is the
 * front door; it owns one engine and offers the same lifecycle verbs.
 *
 * <p>Thread-safe. Registration and close take the engine's lock; calls into services never do.
 *
 * <pre>{@code
 * try (FlowEngine engine = FlowEngine.create()) {
 *     NoArgServiceTask<Counter> counter = engine.serviceTask("counter", () -> new Counter());
 *     ServiceFuture<Counter> future = counter.start();
 *     future.join().increment();
 * }
 * }</pre>
 */
public final class FlowEngine implements ServiceTaskRegistry, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FlowEngine.class);

    private final EngineConfig config;
    private final Backend backend;
    private final Telemetry telemetry;
    private final Object lock = new Object();
    private final Set<String> taskNames = new HashSet<>();          // guarded by lock
    private final List<ManagedService<?, ?>> services = new ArrayList<>(); // start order; guarded by lock
    private final List<ReplicatedService<?, ?>> replicated = new ArrayList<>(); // guarded by lock
    private final AtomicLong instanceCounter = new AtomicLong();
    private volatile boolean closed;                                 // written under lock; read without it by task calls
    private CompletableFuture<ShutdownException> closing;            // guarded by lock; set by the first close
    private Thread closingThread;                                    // guarded by lock

    private FlowEngine(EngineConfig config) {
        this.config = config;
        this.backend = config.backend().orElseGet(() -> new LocalBackend("local", config.localBackend()));
        this.telemetry = TelemetryAccess.operations().create(config.telemetry(), config.ticker(), backend, this::services);
    }

    /** An engine with {@link EngineConfig#ofDefaults()}: a local backend. */
    public static FlowEngine create() {
        return create(EngineConfig.ofDefaults());
    }

    /** @throws NullPointerException if {@code config} is null */
    public static FlowEngine create(EngineConfig config) {
        return new FlowEngine(Objects.requireNonNull(config, "config"));
    }

    public EngineConfig config() {
        return config;
    }

    public Backend backend() {
        return backend;
    }

    /** The event stream, metrics and health endpoint of this engine's services and calls. */
    public Telemetry telemetry() {
        return telemetry;
    }

    /**
     * Reserves a task name.
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if it is blank or already taken
     * @throws IllegalStateException if the engine is closed
     */
    public void reserveName(String name) {
        Checks.requireName(name, "name");
        synchronized (lock) {
            ensureOpen("register task '" + name + "'");
            if (!taskNames.add(name)) {
                throw new IllegalArgumentException("a task named '" + name + "' is already registered");
            }
        }
    }

    /** A FUNCTION_TASK with the engine's default retry policy. See {@link #functionTask(String, TaskFunction, RetryConfig)}. */
    public <A, R> FunctionTask<A, R> functionTask(String name, TaskFunction<A, R> function) {
        return functionTask(name, function, config.taskRetry());
    }

    /**
     * Registers a FUNCTION_TASK.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or taken
     * @throws IllegalStateException if the engine is closed
     */
    public <A, R> FunctionTask<A, R> functionTask(String name, TaskFunction<A, R> function, RetryConfig retry) {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(retry, "retry");
        reserveName(name);
        return new Function<>(name, function, retry);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The engine-level verb, for plain Java; with LangGraph4j or langchain4j use the integration's
     * {@code ExecutionWrappers}, which registers on the engine it owns (see {@link ServiceTaskRegistry}).
     */
    @Override
    public <A, S> ServiceTask<A, S> serviceTask(String name, ServiceInitializer<A, S> initializer) {
        return serviceTask(ServiceDefinition.builder(name, initializer).build());
    }

    /** {@inheritDoc} */
    @Override
    public <S> NoArgServiceTask<S> serviceTask(String name, ServiceFactory<S> factory) {
        ServiceTask<Void, S> task = serviceTask(ServiceDefinition.builder(name, factory).build());
        return new NoArgServiceTask<>() {
            @Override
            public String name() {
                return task.name();
            }

            @Override
            public ServiceFuture<S> start() {
                return task.start(null);
            }

            @Override
            public List<ServiceFuture<S>> instances() {
                return task.instances();
            }

            @Override
            public void addListener(ServiceListener listener, Executor executor) {
                task.addListener(listener, executor);
            }

            @Override
            public String toString() {
                return task.toString();
            }
        };
    }

    /** {@inheritDoc} */
    @Override
    public <A, S> ServiceTask<A, S> serviceTask(ServiceDefinition<A, S> definition) {
        Objects.requireNonNull(definition, "definition");
        reserveName(definition.name());
        return new Service<>(definition);
    }

    /** Every service instance started so far, in start order. */
    public List<ServiceFuture<?>> services() {
        synchronized (lock) {
            return List.copyOf(services);
        }
    }

    /**
     * A consistent snapshot: every service instance, grouped by its state at one instant. Taking
     * it holds up state transitions for a moment, never calls.
     */
    public Map<ServiceState, List<ServiceFuture<?>>> servicesByState() {
        Map<ServiceState, List<ServiceFuture<?>>> byState = new EnumMap<>(ServiceState.class);
        List<ManagedService<?, ?>> all;
        synchronized (lock) {
            all = List.copyOf(services);
        }
        ManagedService.whileStatesHeld(all, () -> {
            for (ManagedService<?, ?> service : all) {
                byState.computeIfAbsent(service.state(), s -> new ArrayList<>()).add(service);
            }
        });
        byState.replaceAll((state, list) -> List.copyOf(list));
        return Collections.unmodifiableMap(byState);
    }

    /** Start-up durations of the instances that reached RUNNING, by id, in start order. */
    public Map<String, Duration> startupDurations() {
        Map<String, Duration> durations = new LinkedHashMap<>();
        for (ServiceFuture<?> service : services()) {
            service.startupDuration().ifPresent(d -> durations.put(service.id(), d));
        }
        return Collections.unmodifiableMap(durations);
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops every service still running, in reverse start order, each within its stop timeout
     * (a stop or restart already in progress is awaited), then shuts the backend down. Idempotent
     * and blocking for every caller: a second, concurrent {@code close()} returns when the first
     * is over and reports the same problems. Called from inside a listener callback or by the
     * thread already closing, it begins the close if none began but does not wait for one in
     * progress (that close may be waiting for this very callback).
     *
     * @throws ShutdownException naming each service whose stop threw or overran its deadline (the
     *     others were stopped all the same), and the backend if its threads did not end in time
     */
    @Override
    public void close() {
        List<ManagedService<?, ?>> toStop;
        List<ReplicatedService<?, ?>> groups = List.of();
        CompletableFuture<ShutdownException> done;
        synchronized (lock) {
            if (closing != null) {
                done = closing;
                toStop = null;
            } else {
                closed = true;
                closing = done = new CompletableFuture<>();
                closingThread = Thread.currentThread();
                toStop = new ArrayList<>(services);
                groups = new ArrayList<>(replicated);
            }
        }
        if (toStop == null) {
            awaitOtherClose(done);
            return;
        }
        ShutdownException problems = null;
        try {
            telemetry.close(); // the health endpoint goes first: probes then see the engine as gone
            groups.forEach(ReplicatedService::stopAsync); // no more scale actions or rolling updates; replicas stop in parallel
            problems = stopAll(toStop);
        } finally {
            done.complete(problems);
            synchronized (lock) {
                closingThread = null;
            }
        }
        if (problems != null) {
            throw problems;
        }
    }

    private void awaitOtherClose(CompletableFuture<ShutdownException> done) {
        synchronized (lock) {
            if (closingThread == Thread.currentThread()) {
                return; // a close from inside the close (a listener on this thread): it cannot wait for itself
            }
        }
        if (ManagedService.insideListener() && !done.isDone()) {
            return;
        }
        ShutdownException problems;
        try {
            problems = done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShutdownException(List.of("engine (interrupted while waiting for another close)"), List.of(e));
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never completed exceptionally
        }
        if (problems != null) {
            throw new ShutdownException(problems.offenders(), List.of(problems.getSuppressed()));
        }
    }

    private ShutdownException stopAll(List<ManagedService<?, ?>> toStop) {
        Collections.reverse(toStop);
        List<String> offenders = new ArrayList<>();
        List<Throwable> causes = new ArrayList<>();
        for (ManagedService<?, ?> service : toStop) {
            if (service.state().isTerminal()) {
                continue; // stopped or failed before the close
            }
            CompletableFuture<Void> stopped = service.stopAsync(); // a stop in progress: its end
            try {
                stopped.get(service.stopTimeout().toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                Throwable cause = Futures.unwrap(e);
                offenders.add("service '" + service.id() + "' (" + describeCause(cause) + ")");
                causes.add(cause);
            } catch (TimeoutException e) {
                offenders.add("service '" + service.id() + "' (stop did not finish in time)");
                causes.add(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                offenders.add("service '" + service.id() + "' (interrupted while stopping)");
                causes.add(e);
            }
        }
        if (!backend.shutdown(config.backendShutdownTimeout())) {
            offenders.add("backend '" + backend.name() + "' (threads still running after "
                    + config.backendShutdownTimeout() + ")");
            causes.add(new TimeoutException("backend threads did not end"));
        }
        log.debug("engine closed; {} service(s) stopped, {} problem(s)", toStop.size(), offenders.size());
        return offenders.isEmpty() ? null : new ShutdownException(offenders, causes);
    }

    private static String describeCause(Throwable cause) {
        Throwable root = cause instanceof ServiceFailedException && cause.getCause() != null ? cause.getCause() : cause;
        return TaskFailedException.describe(root);
    }

    private void ensureOpen(String action) {
        if (closed) {
            throw new IllegalStateException("the integration is closed; cannot " + action);
        }
    }

    private final class Function<A, R> implements FunctionTask<A, R> {
        private final String name;
        private final TaskFunction<A, R> function;
        private final RetryConfig retry;

        Function(String name, TaskFunction<A, R> function, RetryConfig retry) {
            this.name = name;
            this.function = function;
            this.retry = retry;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public RetryConfig retry() {
            return retry;
        }

        @Override
        public Telemetry telemetry() {
            return telemetry;
        }

        @Override
        public CompletableFuture<R> submit(A args) {
            ensureOpen("run task '" + name + "'"); // no lock on a call: a close that begins now rejects the work
            CallSpan span = telemetry.beginCall(CallEvent.Kind.TASK, name, FlowType.FUNCTION_TASK, null, 0);
            Callable<R> work = span == null ? () -> function.apply(args) : () -> {
                span.attempt();
                return function.apply(args);
            };
            RetryingRun<R> run;
            try {
                run = RetryingRun.start(backend, "task '" + name + "'", work, retry,
                    (attempts, cause) -> new TaskFailedException(name, attempts, cause), ignored -> { });
            } catch (RuntimeException e) {
                if (span != null) {
                    span.end(e);
                }
                throw e;
            }
            CompletableFuture<R> result = new CompletableFuture<>() {
                @Override
                public boolean cancel(boolean mayInterruptIfRunning) {
                    run.cancel();
                    return super.cancel(mayInterruptIfRunning);
                }
            };
            run.result().whenComplete((value, error) -> {
                if (span != null) {
                    span.end(error == null ? null : Futures.unwrap(error)); // before the caller sees the outcome
                }
                if (error == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(error);
                }
            });
            return result;
        }

        @Override
        public R call(A args) {
            CompletableFuture<R> future = submit(args);
            try {
                return future.get();
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw new TaskFailedException(name, 0, e);
            } catch (ExecutionException e) {
                Throwable cause = Futures.unwrap(e);
                if (cause instanceof RuntimeException) {
                    throw (RuntimeException) cause;
                }
                throw new TaskFailedException(name, 0, cause);
            }
        }

        @Override
        public String toString() {
            return "FunctionTask[" + name + "]";
        }
    }

    private final class Service<A, S> implements ServiceTask<A, S> {
        private final ServiceDefinition<A, S> definition;
        private final List<ServiceFuture<S>> instances = new CopyOnWriteArrayList<>();
        private final List<Map.Entry<ServiceListener, Executor>> listeners = new CopyOnWriteArrayList<>();

        Service(ServiceDefinition<A, S> definition) {
            this.definition = definition;
        }

        @Override
        public String name() {
            return definition.name();
        }

        @Override
        public ServiceFuture<S> start(A args) {
            if (!definition.replicas().replicated()) {
                ManagedService<A, S> service = startOne(args, null, null);
                instances.add(service);
                return service;
            }
            ReplicatedService<A, S> group;
            synchronized (lock) {
                ensureOpen("start service '" + definition.name() + "'");
                String id = definition.name() + "#" + instanceCounter.incrementAndGet();
                group = new ReplicatedService<>(definition.name(), id, definition.replicas(), args, this::startOne,
                        backend, config.ticker(), telemetry, event -> {
                            if (telemetry.isActive()) {
                                TelemetryAccess.operations().publish(telemetry, event);
                            }
                        }, definition.stopTimeout().orElse(config.stopTimeout()));
                replicated.add(group);
                instances.add(group);
            }
            group.start();
            return group;
        }

        /**
         * One instance (or one replica of {@code handleId}, with its id given): registered, STARTING,
         * cold start begun.
         */
        private ManagedService<A, S> startOne(A args, String handleId, String replicaId) {
            ManagedService<A, S> service;
            Runnable coldStart;
            synchronized (lock) { // registered and STARTING before a close can see it, or not at all
                ensureOpen("start service '" + definition.name() + "'");
                String id = replicaId != null ? replicaId : definition.name() + "#" + instanceCounter.incrementAndGet();
                service = new ManagedService<>(backend, config.ticker(), telemetry, definition, args, id, handleId,
                        definition.retry().orElse(config.serviceRetry()),
                        definition.stopTimeout().orElse(config.stopTimeout()));
                listeners.forEach(l -> service.addListener(l.getKey(), l.getValue()));
                coldStart = service.markStarting(); // queues their starting(): delivered by the cold start, no lock held
                TelemetryAccess.operations().watch(telemetry, service); // registers a listener: no user code runs here
                services.add(service);
            }
            TelemetryAccess.operations().started(telemetry, service);
            coldStart.run(); // a close that came meanwhile has already stopped it: then nothing starts
            return service;
        }

        @Override
        public List<ServiceFuture<S>> instances() {
            return List.copyOf(instances);
        }

        @Override
        public void addListener(ServiceListener listener, Executor executor) {
            listeners.add(Map.entry(Objects.requireNonNull(listener, "listener"),
                    Objects.requireNonNull(executor, "executor")));
        }

        @Override
        public String toString() {
            return "ServiceTask[" + definition.name() + "]";
        }
    }
}
