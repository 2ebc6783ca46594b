package dev.flowgentic4j.ignite.internal;

import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.lang.IgnitePredicate;

/** Deploys services only on nodes that host them (those not started with {@code hostsServices(false)}). */
public final class HostFilter implements IgnitePredicate<ClusterNode> {
    private static final long serialVersionUID = 1L;

    /** The node attribute a node that hosts no services carries, with the value {@code "false"}. */
    public static final String ATTRIBUTE = "flowgentic4j.hostsServices";

    @Override
    public boolean apply(ClusterNode node) {
        return !"false".equals(node.attribute(ATTRIBUTE));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HostFilter; // Ignite compares configurations of a redeployed service
    }

    @Override
    public int hashCode() {
        return HostFilter.class.hashCode();
    }
}
