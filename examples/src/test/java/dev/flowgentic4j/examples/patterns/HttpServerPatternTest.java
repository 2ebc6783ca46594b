package dev.flowgentic4j.examples.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.examples.server.SimpleServer;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceTask;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Pattern 4: the demo HTTP server as a SERVICE_TASK releases its port on cancel and on close. */
class HttpServerPatternTest {
    private static final Duration READY = Duration.ofSeconds(10);

    @Test
    void cancel_and_integration_close_release_the_servers_ports() {
        int cancelledPort;
        int closedPort;
        try (LangGraphIntegration integration = LangGraphIntegration.create()) {
            ServiceTask<Integer, SimpleServer> servers = PatternServices.httpServer(integration.executionWrappers());
            ServiceFuture<SimpleServer> cancelled = servers.start(0);
            ServiceFuture<SimpleServer> closed = servers.start(0);
            cancelledPort = cancelled.join().port();
            closedPort = closed.join().port();
            SimpleServer.Response first = cancelled.call(READY, s -> s.handleRequest("/api/users", "GET"));
            SimpleServer.Response second = cancelled.call(READY, s -> s.handleRequest("/api/users", "GET"));
            SimpleServer.Response other = closed.call(READY, s -> s.handleRequest("/api/data", "POST"));
            assertThat(second.instance()).isEqualTo(first.instance());
            assertThat(second.request()).isEqualTo(first.request() + 1);
            assertThat(other.instance()).isNotEqualTo(first.instance());

            cancelled.cancel(true);

            assertThat(Probes.portRefuses(cancelledPort)).isTrue();
            assertThat(Probes.portRefuses(closedPort)).isFalse();
        }
        assertThat(Probes.portRefuses(closedPort)).isTrue();
    }
}
