package dev.flowgentic4j.ignite.internal;

import dev.flowgentic4j.ignite.IgniteBackendConfig;
import java.nio.file.Path;
import java.util.Map;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.failure.StopNodeFailureHandler;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;

/** The Ignite node configuration of a backend or of a standalone node: one recipe for both. */
public final class NodeConfigs {
    /** Off-heap memory of the default data region: small, this node holds counters and state, not data sets. */
    static final long REGION_INITIAL_BYTES = 32L << 20;
    static final long REGION_MAX_BYTES = 256L << 20;

    private NodeConfigs() {}

    /**
     * A server node: bound to {@code config.host()}, discovery only at the configured addresses (no
     * multicast), no thin-client or REST connector, logs through SLF4J, and a failure handler that
     * stops the node, never the JVM.
     */
    public static IgniteConfiguration server(IgniteBackendConfig config, String instanceName, Path workDirectory) {
        if (System.getProperty("IGNITE_UPDATE_NOTIFIER") == null) {
            System.setProperty("IGNITE_UPDATE_NOTIFIER", "false"); // no call home
        }
        TcpDiscoveryVmIpFinder ipFinder = new TcpDiscoveryVmIpFinder();
        ipFinder.setAddresses(config.discoveryAddresses());
        TcpDiscoverySpi discovery = new TcpDiscoverySpi();
        discovery.setIpFinder(ipFinder);
        discovery.setLocalAddress(config.host());
        discovery.setLocalPort(config.discoveryPort());
        discovery.setLocalPortRange(config.portRange() - 1);
        discovery.setJoinTimeout(config.joinTimeout().toMillis());
        TcpCommunicationSpi communication = new TcpCommunicationSpi();
        communication.setLocalAddress(config.host());
        communication.setLocalPort(config.communicationPort());
        communication.setLocalPortRange(Math.max(config.portRange(), 10));
        DataStorageConfiguration storage = new DataStorageConfiguration();
        storage.setDefaultDataRegionConfiguration(new DataRegionConfiguration()
                .setName("default").setInitialSize(REGION_INITIAL_BYTES).setMaxSize(REGION_MAX_BYTES));
        IgniteConfiguration cfg = new IgniteConfiguration()
                .setIgniteInstanceName(instanceName)
                .setWorkDirectory(workDirectory.toAbsolutePath().toString())
                .setLocalHost(config.host())
                .setDiscoverySpi(discovery)
                .setCommunicationSpi(communication)
                .setDataStorageConfiguration(storage)
                .setClientConnectorConfiguration(null)
                .setConnectorConfiguration(null)
                .setPeerClassLoadingEnabled(false)
                .setMetricsLogFrequency(0)
                .setFailureHandler(new StopNodeFailureHandler())
                .setGridLogger(Slf4jOnlyLogger.root());
        if (!config.hostsServices()) {
            cfg.setUserAttributes(Map.of(HostFilter.ATTRIBUTE, "false"));
        }
        return cfg;
    }
}
