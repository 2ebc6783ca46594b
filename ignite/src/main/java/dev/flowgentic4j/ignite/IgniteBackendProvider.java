package dev.flowgentic4j.ignite;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.BackendProvider;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code ignite} backend for {@link BackendProvider#byName}: an embedded server node on loopback,
 * or, with the system property {@value #DISCOVERY_PROPERTY} (comma-separated {@code host:port} or
 * {@code host:from..to}), a node that joins the cluster at those addresses.
 */
public final class IgniteBackendProvider implements BackendProvider {
    /** Discovery addresses of an existing cluster to join. */
    public static final String DISCOVERY_PROPERTY = "flowgentic4j.ignite.discovery";

    @Override
    public String name() {
        return "ignite";
    }

    @Override
    public Backend create() {
        IgniteBackendConfig.Builder config = IgniteBackendConfig.builder();
        String discovery = System.getProperty(DISCOVERY_PROPERTY);
        if (discovery != null && !discovery.isBlank()) {
            List<String> addresses = Arrays.stream(discovery.split(",")).map(String::trim).toList();
            config.discoveryAddresses(addresses);
        }
        return IgniteBackend.start(config.build());
    }
}
