package dev.flowgentic4j.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.quickstart.ServiceIntermittent.Exchange;
import dev.flowgentic4j.quickstart.ServiceIntermittent.Report;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceIntermittentTest {

    @Test
    void evidence_says_so_when_a_claim_does_not_hold() {
        SimpleServer.Response a = new SimpleServer.Response(200, "aaaa", 1, Duration.ofMillis(5), "GET", "/");
        SimpleServer.Response b = new SimpleServer.Response(200, "bbbb", 1, Duration.ofMillis(9), "GET", "/");
        List<Exchange> twoInstancesBehindOneHandle = List.of(new Exchange("Server 1", a), new Exchange("Server 1", b));

        List<String> evidence = ServiceIntermittent.evidence(twoInstancesBehindOneHandle, 2,
                Map.of("Server 1", Duration.ofMillis(7)));

        assertThat(evidence).filteredOn(line -> line.startsWith("❌")).hasSize(4);   // every claim fails
    }

    @Test
    void the_demo_shows_one_cold_start_per_service_persistent_counters_and_a_clean_shutdown() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Report report = ServiceIntermittent.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), 0);
        String out = bytes.toString(StandardCharsets.UTF_8);

        List<Exchange> server1 = report.exchanges().stream().filter(e -> e.server().equals("Server 1")).toList();
        List<Exchange> server2 = report.exchanges().stream().filter(e -> e.server().equals("Server 2")).toList();

        // Part 1 and 3: one instance answers 1, 2, 3, then 4
        assertThat(server1).extracting(e -> e.response().request()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(server1).extracting(e -> e.response().instance()).containsOnly(server1.get(0).response().instance());
        assertThat(server1).allSatisfy(e -> assertThat(e.response().status()).isEqualTo(200));
        // Part 2 and 3: a new instance that starts at 1, then answers 2
        assertThat(server2).extracting(e -> e.response().request()).containsExactly(1L, 2L);
        assertThat(server2.get(0).response().instance()).isNotEqualTo(server1.get(0).response().instance());
        // uptime accumulates per instance
        assertThat(server1.get(3).response().uptime()).isGreaterThanOrEqualTo(server1.get(0).response().uptime());
        // exactly one cold start per service
        assertThat(report.coldStarts()).isEqualTo(2);
        assertThat(out.split("COLD START", -1)).hasSize(3);
        // Part 4: both ports refuse connections after the shutdown
        assertThat(report.server1Refuses()).isTrue();
        assertThat(report.server2Refuses()).isTrue();
        // the uptime at shutdown is never smaller than one printed before it
        assertThat(report.uptimeAtShutdown().get("Server 1")).isGreaterThanOrEqualTo(server1.get(3).response().uptime());
        assertThat(report.uptimeAtShutdown().get("Server 2")).isGreaterThanOrEqualTo(server2.get(1).response().uptime());
        // the evidence is derived from the responses, and every claim held
        assertThat(report.evidence()).hasSize(7).allSatisfy(line -> assertThat(line).startsWith("✅"));
        assertThat(report.evidence()).anySatisfy(line -> assertThat(line)
                .contains("4 requests to Server 1 answered by " + server1.get(0).response().instance()));
        assertThat(report.evidence()).anySatisfy(line -> assertThat(line)
                .contains("Server 1 counted its requests itself: [1, 2, 3, 4]"));
        assertThat(out).contains("Part 1: Persistence Proof", "Part 2: New Service Cold-Start",
                "Part 3: Concurrent Services", "Request 4 → Server 1 ✅ (Still running!)",
                "Request 2 → Server 2 ✅ (Also running!)", "Server 1 TERMINATED", "Server 2 TERMINATED");
    }
}
