package dev.flowgentic4j.ignite;

import dev.flowgentic4j.ignite.internal.ClusterProxy;
import dev.flowgentic4j.ignite.internal.HostFilter;
import dev.flowgentic4j.ignite.internal.HostedService;
import dev.flowgentic4j.ignite.internal.NamedClasses;
import dev.flowgentic4j.ignite.internal.NodeConfigs;
import dev.flowgentic4j.ignite.internal.RemoteFunction;
import dev.flowgentic4j.ignite.internal.RemoteInvoker;
import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.BackendWork;
import dev.flowgentic4j.workflows.HealthConfig;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.TaskFunction;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.IgniteServices;
import org.apache.ignite.Ignition;
import org.apache.ignite.services.ServiceConfiguration;
import org.apache.ignite.services.ServiceDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distributed backend: an Apache Ignite server node in this JVM (embedded on loopback by
 * default, or joining a cluster), services on Ignite's Service Grid and function tasks on its
 * Compute.
 *
 * <p>Give it to the engine ({@code EngineConfig.builder().backend(backend)}); the engine's own work
 * (cold starts, stops, timers, and tasks and services given as plain closures) runs on this node's
 * JVM. Services built by {@link #serviceDefinition} are deployed on the cluster: their
 * {@code ServiceFuture} yields a typed proxy, cancel undeploys, and the engine's close undeploys
 * every one in reverse start order before this backend stops the node. Functions made by
 * {@link #onCompute} run on Ignite Compute.
 *
 * <p>Ignite never halts this JVM: the node has a {@code StopNodeFailureHandler}. The JVM needs
 * the {@code --add-opens} flags listed in docs/ignite.md. Thread-safe.
 *
 * <pre>{@code
 * try (FlowEngine engine = FlowEngine.create(EngineConfig.builder()
 *         .backend(IgniteBackend.start(IgniteBackendConfig.ofDefaults())).build())) {
 *     IgniteBackend ignite = (IgniteBackend) engine.backend();
 *     ServiceTask<Void, Counter> counter = engine.serviceTask(ignite.serviceDefinition("counter",
 *             IgniteService.builder(Counter.class, CacheCounter.class).build()).build());
 *     counter.start(null).join().increment(); // runs on the node that hosts the singleton
 * }
 * }</pre>
 */
public final class IgniteBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(IgniteBackend.class);

    private final IgniteBackendConfig config;
    private final Ignite ignite;
    private final Backend local;
    private final Path ownedWorkDirectory;

    private IgniteBackend(IgniteBackendConfig config, Ignite ignite, Path ownedWorkDirectory) {
        this.config = config;
        this.ignite = ignite;
        this.ownedWorkDirectory = ownedWorkDirectory;
        this.local = Backend.local();
    }

    /**
     * Starts this JVM's Ignite server node and returns the backend around it.
     *
     * @throws NullPointerException if {@code config} is null
     * @throws IgniteException if the node does not start (its cause says why, e.g. a missing
     *     {@code --add-opens} flag)
     */
    public static IgniteBackend start(IgniteBackendConfig config) {
        Objects.requireNonNull(config, "config");
        String instanceName = "flowgentic4j-" + UUID.randomUUID().toString().substring(0, 8);
        Path owned = null;
        Path workDirectory;
        try {
            workDirectory = config.workDirectory().isPresent() ? config.workDirectory().get()
                    : (owned = Files.createTempDirectory("flowgentic4j-ignite-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Ignite work directory", e);
        }
        try {
            Ignite ignite = Ignition.start(NodeConfigs.server(config, instanceName, workDirectory));
            log.info("Ignite node {} started ({} node(s) in the cluster, work directory {})", instanceName,
                    ignite.cluster().nodes().size(), workDirectory);
            return new IgniteBackend(config, ignite, owned);
        } catch (IgniteException e) {
            deleteTree(owned);
            throw new IgniteException("the Ignite node did not start (discovery at " + config.discoveryAddresses()
                    + ", join timeout " + config.joinTimeout() + "): " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteTree(owned);
            throw e;
        }
    }

    /** The Ignite node of this backend (caches, cluster views, events). */
    public Ignite ignite() {
        return ignite;
    }

    public IgniteBackendConfig config() {
        return config;
    }

    /**
     * A service definition whose cold start deploys {@code spec} on the Service Grid and yields a
     * typed proxy once a first call through it succeeds (readiness), and whose stop undeploys it.
     * Each {@code start(args)} deploys a new instance under its own Ignite name. The returned
     * builder takes the usual settings (start retries, stop timeout, call limits).
     *
     * <p>It comes with a health check that the service is still deployed on the cluster (every
     * {@link IgniteBackendConfig#healthInterval()}, two failures in a row make it UNHEALTHY) and the
     * backend's {@link IgniteBackendConfig#restartPolicy()}, which redeploys a service undeployed
     * from outside as a new generation behind the same handle; {@code restartPolicy(...)} or
     * {@code health(...)} on the builder replace them.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public <A, S> ServiceDefinition.Builder<A, S> serviceDefinition(String name, IgniteService<A, S> spec) {
        Objects.requireNonNull(spec, "spec");
        RetryConfig callRetry = spec.callRetry().orElse(config.callRetry());
        return ServiceDefinition.<A, S>builder(name, args -> deploy(name, spec, args, callRetry))
                .stop(instance -> undeploy(ClusterProxy.of(instance).service()))
                .health(HealthConfig.<S>builder(instance -> requireDeployed(name, ClusterProxy.of(instance).service()))
                        .interval(config.healthInterval())
                        .timeout(config.healthTimeout())
                        .failureThreshold(IgniteBackendConfig.HEALTH_FAILURE_THRESHOLD)
                        .build())
                .restartPolicy(config.restartPolicy());
    }

    /**
     * The health check: the cluster still knows the deployment and some node hosts an instance of it.
     * Reads this node's view of the Service Grid (no remote call), so it does not block.
     *
     * @throws IllegalStateException naming the service when it is not deployed
     */
    private void requireDeployed(String name, String serviceName) {
        ServiceDescriptor descriptor = ignite.services().serviceDescriptors().stream()
                .filter(d -> d.name().equals(serviceName)).findFirst()
                .orElseThrow(() -> new IllegalStateException("service '" + name + "' (" + serviceName
                        + ") is no longer deployed on the Ignite cluster: it was undeployed from outside this handle"));
        if (descriptor.topologySnapshot().values().stream().mapToInt(Integer::intValue).sum() == 0) {
            throw new IllegalStateException("service '" + name + "' (" + serviceName
                    + ") is deployed on no node of the Ignite cluster: no node that hosts services is left");
        }
    }

    private <A, S> S deploy(String name, IgniteService<A, S> spec, A args, RetryConfig callRetry) {
        if (spec.argumentType() != Void.class && args != null) {
            requireSerializable(args, "start argument of service '" + name + "'");
        }
        String serviceName = name + "@" + UUID.randomUUID();
        HostedService hosted = new HostedService(spec.implementation().getName(), spec.argumentType().getName(), args);
        ServiceConfiguration deployment = new ServiceConfiguration()
                .setName(serviceName)
                .setService(hosted)
                .setTotalCount(spec.totalCount())
                .setMaxPerNodeCount(spec.maxPerNode())
                .setNodeFilter(new HostFilter());
        IgniteServices services = ignite.services();
        try {
            services.deploy(deployment);
        } catch (IgniteException e) {
            undeployQuietly(serviceName);
            throw new IgniteException("Ignite could not deploy service '" + name + "' (" + spec.implementation()
                    .getName() + "): " + e.getMessage(), e);
        }
        try {
            S proxy = proxy(ignite, serviceName, spec.type(), callRetry, config.proxyTimeout());
            ServiceHostInfo host = ClusterProxy.of(proxy).host(); // readiness: the first call went through
            log.debug("service {} deployed on node {} (pid {})", serviceName, host.nodeId(), host.pid());
            return proxy;
        } catch (RuntimeException e) {
            undeployQuietly(serviceName);
            throw e;
        }
    }

    private void undeploy(String serviceName) {
        ignite.services().cancel(serviceName);
    }

    private void undeployQuietly(String serviceName) {
        try {
            undeploy(serviceName);
        } catch (RuntimeException e) {
            log.warn("undeploying the failed service {} failed too", serviceName, e);
        }
    }

    /**
     * Where the instance behind {@code proxy} (from a service of {@link #serviceDefinition}) runs now.
     *
     * @throws IllegalArgumentException if {@code proxy} is not such a proxy
     */
    public static ServiceHostInfo hostOf(Object proxy) {
        return ClusterProxy.of(proxy).host();
    }

    /**
     * The Ignite service name of the instance behind {@code proxy}, for {@link #proxy} on other nodes.
     *
     * @throws IllegalArgumentException if {@code proxy} is not a proxy from {@link #serviceDefinition}
     */
    public static String serviceName(Object proxy) {
        return ClusterProxy.of(proxy).service();
    }

    /**
     * A typed proxy of a service deployed by any backend of the cluster, from any node (a compute
     * job, another application), with the same failover retries as the backend's own proxies.
     *
     * @throws NullPointerException if an argument is null
     */
    public static <S> S proxy(Ignite ignite, String serviceName, Class<S> type, RetryConfig callRetry,
                              Duration proxyTimeout) {
        Objects.requireNonNull(ignite, "ignite");
        Objects.requireNonNull(serviceName, "serviceName");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(callRetry, "callRetry");
        RemoteInvoker remote = ignite.services().serviceProxy(serviceName, RemoteInvoker.class, false,
                proxyTimeout.toMillis());
        return ClusterProxy.create(type, serviceName, remote, callRetry);
    }

    /**
     * A task function that runs {@code function} on Ignite Compute: each call sends the function's
     * class name and the (serializable) argument to a server node that hosts services (see
     * {@link IgniteBackendConfig#hostsServices()}), which builds the function with its
     * public no-argument constructor and applies it. Register it like any function
     * ({@code engine.functionTask("score", backend.onCompute(Score.class))}): the task's retry policy
     * applies, topology failures included.
     *
     * @throws IllegalArgumentException if {@code function} is a lambda, an anonymous, local or inner
     *     class, not public, or has no public no-argument constructor
     */
    public <A, R> TaskFunction<A, R> onCompute(Class<? extends TaskFunction<A, R>> function) {
        Objects.requireNonNull(function, "function");
        String type = function.getName();
        NamedClasses.requireBuildableElsewhere(function, "function", TaskFunction.class);
        try {
            function.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("function " + type + " has no public no-argument constructor", e);
        }
        return args -> {
            if (args != null) {
                requireSerializable(args, "argument of function " + type);
            }
            try {
                @SuppressWarnings("unchecked")
                R result = (R) ignite.compute(ignite.cluster().forServers().forPredicate(new HostFilter())).call(new RemoteFunction(type, args));
                return result;
            } catch (IgniteException e) {
                Throwable cause = e;
                while (cause instanceof IgniteException && cause.getCause() != null) {
                    cause = cause.getCause();
                }
                if (cause instanceof Exception ex) {
                    throw ex;
                }
                throw e;
            }
        };
    }

    /**
     * @throws IllegalArgumentException naming {@code what} and the class that cannot be serialized
     */
    static void requireSerializable(Object value, String what) {
        try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException(what + " (" + value.getClass().getName() + ") cannot travel to "
                    + "another node: " + e.getMessage() + " is not Serializable", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " (" + value.getClass().getName() + ") cannot be serialized: "
                    + e, e);
        }
    }

    @Override
    public String name() {
        return "ignite";
    }

    @Override
    public <T> BackendWork<T> submit(String label, Callable<T> work) {
        return local.submit(label, work);
    }

    @Override
    public Future<?> schedule(Runnable action, Duration delay) {
        return local.schedule(action, delay);
    }

    @Override
    public boolean isClosed() {
        return local.isClosed();
    }

    /** Shuts the local threads down, stops the node, and removes the work directory if this backend made it. */
    @Override
    public boolean shutdown(Duration timeout) {
        boolean ended = local.shutdown(timeout);
        try {
            ignite.close();
        } finally {
            deleteTree(ownedWorkDirectory);
        }
        return ended;
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("could not remove the Ignite work directory {}", root, e);
        }
    }

    @Override
    public String toString() {
        return "IgniteBackend[" + ignite.name() + ", " + ignite.cluster().nodes().size() + " node(s)]";
    }
}
