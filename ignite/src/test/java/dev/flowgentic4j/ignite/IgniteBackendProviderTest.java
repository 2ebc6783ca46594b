package dev.flowgentic4j.ignite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.Backend;
import dev.flowgentic4j.workflows.BackendProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class IgniteBackendProviderTest {

    @Test
    void the_ignite_backend_is_found_by_name_and_an_unknown_name_lists_those_there_are() {
        System.setProperty(IgniteBackendProvider.DISCOVERY_PROPERTY, "127.0.0.1:47500..47509");
        try (Backend backend = BackendProvider.byName("ignite")) {
            assertThat(backend).isInstanceOf(IgniteBackend.class);
            assertThat(((IgniteBackend) backend).config().discoveryAddresses()).containsExactly("127.0.0.1:47500..47509");
        } finally {
            System.clearProperty(IgniteBackendProvider.DISCOVERY_PROPERTY);
        }
        assertThatThrownBy(() -> BackendProvider.byName("hazelcast")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no backend named 'hazelcast' on the classpath (found: local, ignite)");
    }

    @Test
    void joining_a_cluster_that_does_not_answer_fails_after_the_join_timeout_naming_the_addresses() {
        IgniteBackendConfig config = IgniteBackendConfig.builder().discoveryPort(47560, 2).communicationPort(47160)
                .discoveryAddresses(java.util.List.of("127.0.0.1:47590")).joinTimeout(java.time.Duration.ofSeconds(2))
                .build();

        assertThatThrownBy(() -> IgniteBackend.start(config)).isInstanceOf(org.apache.ignite.IgniteException.class)
                .hasMessageStartingWith("the Ignite node did not start (discovery at [127.0.0.1:47590], join timeout "
                        + "PT2S)");
    }

    @Test
    void the_build_gives_tests_the_same_jvm_flags_as_extra_nodes_get() throws Exception {
        assertThat(Files.readAllLines(Path.of("jvm.options"))).isEqualTo(IgniteJvm.ADD_OPENS);
    }
}
