package dev.flowgentic4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flowgentic4j.spring.app.KvStore;
import dev.flowgentic4j.spring.app.StopLog;
import dev.flowgentic4j.spring.app.TinyHttp;
import dev.flowgentic4j.testkit.Probes;
import dev.flowgentic4j.workflows.ServiceDefinition;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/** The context starts and closes 20 times in one JVM: no thread, port or file descriptor is left behind. */
class ContextCycleTest {
    static final int CYCLES = 20;
    static final int WARM_UP = 3;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        StopLog stopLog() {
            return new StopLog();
        }

        @Bean
        ServiceDefinition<Void, KvStore> kv(StopLog stops) {
            return ServiceDefinition.builder("kv", () -> new KvStore(stops)).build();
        }

        @Bean
        ServiceDefinition<Void, TinyHttp> http(StopLog stops) {
            return ServiceDefinition.builder("http", () -> new TinyHttp("http", stops)).build();
        }
    }

    @Test
    void twenty_starts_and_closes_leave_no_thread_port_or_file_descriptor_behind() {
        java.util.List<String> baselineNames = java.util.List.of();
        int baselineThreads = -1;
        int baselineFiles = -1;
        for (int i = 1; i <= CYCLES; i++) {
            int appPort;
            int servicePort;
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class).properties(
                    "spring.main.banner-mode=off", "server.port=0", "server.address=127.0.0.1",
                    "management.endpoints.web.exposure.include=health,flowgentic4j",
                    "management.endpoint.health.show-components=always").run()) {
                appPort = ((WebServerApplicationContext) context).getWebServer().getPort();
                FlowgenticServices services = context.getBean(FlowgenticServices.class);
                servicePort = ((TinyHttp) services.future("http").join()).port();
                Http http = new Http(appPort);
                assertThat(http.get("/actuator/health").json().at("/components/flowgentic4j/components/http/status")
                        .asText()).isEqualTo("UP");
                assertThat(new Http(servicePort).get("/").body()).isEqualTo("hello from http");
            }
            assertThat(Probes.portRefuses(appPort)).as("cycle %d: the application's port", i).isTrue();
            assertThat(Probes.portRefuses(servicePort)).as("cycle %d: the service's port", i).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> LeakCheck.threadsNamed("flowgentic4j-").isEmpty());
            if (i == WARM_UP) {
                baselineThreads = LeakCheck.liveThreads();
                baselineNames = LeakCheck.threadsNamed("");
                baselineFiles = LeakCheck.openFiles();
            }
        }
        int threads = baselineThreads;
        int files = baselineFiles;
        java.util.List<String> before = baselineNames;
        // a leak of one thread or descriptor per cycle would add 17; a few may come and go with the JVM itself
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(LeakCheck.liveThreads()).as("live threads after %d cycles (baseline %d after %d): %s, were %s",
                    CYCLES, threads, WARM_UP, LeakCheck.threadsNamed(""), before).isLessThanOrEqualTo(threads + 3);
            assertThat(LeakCheck.openFiles()).as("open files after %d cycles (baseline %d after %d)",
                    CYCLES, files, WARM_UP).isLessThanOrEqualTo(files + 5);
        });
    }
}
