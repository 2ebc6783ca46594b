/**
 * The Ignite backend's machinery, not part of the API: the service hosted on a node
 * ({@code HostedService}), the failover proxy callers get ({@code ClusterProxy}), node configuration,
 * remote functions and the logger bridge. No other module may import it, and it imports nothing from
 * {@code org.apache.ignite.internal}.
 */
package dev.flowgentic4j.ignite.internal;
