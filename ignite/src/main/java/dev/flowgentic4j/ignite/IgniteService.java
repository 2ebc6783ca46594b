package dev.flowgentic4j.ignite;

import dev.flowgentic4j.ignite.internal.HostedService;
import dev.flowgentic4j.ignite.internal.NamedClasses;
import dev.flowgentic4j.workflows.RetryConfig;
import java.io.Serializable;
import java.lang.reflect.Modifier;
import java.util.Objects;
import java.util.Optional;

/**
 * What to deploy on Ignite's Service Grid: an interface, the class implementing it (on every
 * node's classpath), how many instances, and the type of the start argument. Immutable; every
 * problem is found by {@link Builder#build()}, before anything is deployed.
 *
 * <p>The implementation is built on the node that hosts it, by the first public constructor of
 * these that it has: {@code (Ignite, A)}, {@code (A)}, {@code (Ignite)}, {@code ()}. The
 * {@code Ignite} parameter gives it the cluster (caches for state that must outlive a failover).
 * If it is {@link AutoCloseable} it is closed when the service is undeployed.
 *
 * <pre>{@code
 * IgniteService<Void, Counter> spec = IgniteService.builder(Counter.class, CacheCounter.class).build();
 * ServiceTask<Void, Counter> counter = engine.serviceTask(backend.serviceDefinition("counter", spec).build());
 * Counter proxy = counter.start(null).join();   // a typed proxy; calls go to the hosting node
 * }</pre>
 */
public final class IgniteService<A, S> {

    /** How many instances Ignite keeps deployed. */
    public enum Placement {
        /** One instance in the cluster, moved to a survivor when its host dies. */
        CLUSTER_SINGLETON,
        /** One instance on every node that hosts services. */
        NODE_SINGLETON,
        /** {@link #totalCount()} instances, at most {@link #maxPerNode()} per node. */
        MULTIPLE
    }

    private final Class<S> type;
    private final Class<? extends S> implementation;
    private final Class<A> argumentType;
    private final Placement placement;
    private final int totalCount;
    private final int maxPerNode;
    private final RetryConfig callRetry;

    private IgniteService(Builder<A, S> b) {
        this.type = b.type;
        this.implementation = b.implementation;
        this.argumentType = b.argumentType;
        this.placement = b.placement;
        this.totalCount = b.totalCount;
        this.maxPerNode = b.maxPerNode;
        this.callRetry = b.callRetry;
    }

    /**
     * A service without a start argument, a cluster singleton by default.
     *
     * @throws NullPointerException if an argument is null
     */
    public static <S> Builder<Void, S> builder(Class<S> type, Class<? extends S> implementation) {
        return new Builder<>(type, implementation, Void.class);
    }

    /**
     * A service whose start argument (sent to the hosting node, so {@link Serializable}) is of
     * {@code argumentType}.
     *
     * @throws NullPointerException if an argument is null
     */
    public static <A, S> Builder<A, S> builder(Class<S> type, Class<? extends S> implementation,
                                               Class<A> argumentType) {
        return new Builder<>(type, implementation, argumentType);
    }

    /** The interface callers use; the proxy implements it. */
    public Class<S> type() {
        return type;
    }

    public Class<? extends S> implementation() {
        return implementation;
    }

    public Class<A> argumentType() {
        return argumentType;
    }

    public Placement placement() {
        return placement;
    }

    /** Instances in the cluster (0 means no limit, with {@link Placement#NODE_SINGLETON}). */
    public int totalCount() {
        return totalCount;
    }

    /** Instances per node (0 means no limit). */
    public int maxPerNode() {
        return maxPerNode;
    }

    /** This service's call retry policy; empty means the backend's ({@link IgniteBackendConfig#callRetry()}). */
    public Optional<RetryConfig> callRetry() {
        return Optional.ofNullable(callRetry);
    }

    /** Builds an {@link IgniteService}; {@link #build()} checks that it can be deployed. */
    public static final class Builder<A, S> {
        private final Class<S> type;
        private final Class<? extends S> implementation;
        private final Class<A> argumentType;
        private Placement placement = Placement.CLUSTER_SINGLETON;
        private int totalCount = 1;
        private int maxPerNode = 1;
        private RetryConfig callRetry;

        private Builder(Class<S> type, Class<? extends S> implementation, Class<A> argumentType) {
            this.type = Objects.requireNonNull(type, "type");
            this.implementation = Objects.requireNonNull(implementation, "implementation");
            this.argumentType = Objects.requireNonNull(argumentType, "argumentType");
        }

        /** One instance in the cluster (the default). */
        public Builder<A, S> clusterSingleton() {
            return place(Placement.CLUSTER_SINGLETON, 1, 1);
        }

        /** One instance on every node that hosts services. */
        public Builder<A, S> nodeSingleton() {
            return place(Placement.NODE_SINGLETON, 0, 1);
        }

        /**
         * {@code total} instances, at most {@code maxPerNode} on one node (0: no limit).
         *
         * @throws IllegalArgumentException if {@code total < 1} or {@code maxPerNode < 0}
         */
        public Builder<A, S> instances(int total, int maxPerNode) {
            if (total < 1) {
                throw new IllegalArgumentException("instances: total must be >= 1, was " + total);
            }
            if (maxPerNode < 0) {
                throw new IllegalArgumentException("instances: maxPerNode must be >= 0, was " + maxPerNode);
            }
            return place(Placement.MULTIPLE, total, maxPerNode);
        }

        /** How calls ride out a failover of this service; see {@link IgniteBackendConfig#callRetry()}. */
        public Builder<A, S> callRetry(RetryConfig callRetry) {
            this.callRetry = Objects.requireNonNull(callRetry, "callRetry");
            return this;
        }

        private Builder<A, S> place(Placement placement, int total, int perNode) {
            this.placement = placement;
            this.totalCount = total;
            this.maxPerNode = perNode;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the type is not an interface, the implementation does
         *     not implement it, is a lambda, an anonymous or inner class, abstract, or has no usable
         *     public constructor, or the argument type is not serializable or is a record
         */
        public IgniteService<A, S> build() {
            String impl = implementation.getName();
            if (!type.isInterface()) {
                throw new IllegalArgumentException("service type " + type.getName() + " is not an interface: "
                        + "Ignite hands out proxies of an interface; declare one that " + impl + " implements");
            }
            NamedClasses.requireBuildableElsewhere(implementation, "service implementation", type);
            if (!type.isAssignableFrom(implementation)) {
                throw new IllegalArgumentException("service implementation " + impl + " does not implement "
                        + type.getName());
            }
            if (implementation.isInterface() || Modifier.isAbstract(implementation.getModifiers())) {
                throw new IllegalArgumentException("service implementation " + impl
                        + " is abstract: give a concrete class");
            }
            if (argumentType != Void.class && !Serializable.class.isAssignableFrom(argumentType)
                    && !argumentType.isPrimitive()) {
                throw new IllegalArgumentException("start argument type " + argumentType.getName() + " of service "
                        + impl + " is not Serializable: the argument travels to the hosting node; make it "
                        + "Serializable");
            }
            if (argumentType.isRecord()) {
                throw new IllegalArgumentException("start argument type " + argumentType.getName() + " of service "
                        + impl + " is a record: Ignite 2.x cannot marshal records; use a Serializable class");
            }
            if (HostedService.constructorFor(implementation, argumentType) == null) {
                String arg = argumentType == Void.class ? "" : " (" + argumentType.getSimpleName() + ")";
                throw new IllegalArgumentException("service implementation " + impl + " has no public constructor "
                        + (arg.isEmpty() ? "() or (Ignite)" : arg + " or (Ignite, " + argumentType.getSimpleName()
                        + ")") + " to build it with on the hosting node");
            }
            return new IgniteService<>(this);
        }
    }
}
