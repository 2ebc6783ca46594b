package dev.flowgentic4j.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flowgentic4j.mcp.internal.ProcessGuard;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * A host JVM killed with SIGKILL leaves no MCP server process behind: run as a real subprocess
 * ({@link CrashHost}), killed, and every pid it started looked up in the process table.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HostCrashTest {

    @Test
    void no_server_process_outlives_a_host_killed_with_sigkill() throws Exception {
        assertThat(ProcessGuard.capabilities().guard()).as("the guard runs on this Linux machine").isTrue();
        org.junit.jupiter.api.Assumptions.assumeTrue(ProcessGuard.capabilities().setpriv().isPresent(),
                "no setpriv with --pdeathsig here: a crash is cleaned up by the next start (the other test)");
        HostRun host = startHost();

        long start = System.nanoTime();
        host.process.destroyForcibly(); // SIGKILL: no shutdown hook, no close

        await().atMost(Duration.ofSeconds(30)).until(() -> survivors(host.pids).isEmpty());
        System.out.printf("MEASURE host crash: %d processes started, %d survive; all gone %d ms after the SIGKILL"
                        + " (load average %.2f)%n", host.pids.size(), survivors(host.pids).size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    @Test
    void without_the_guard_a_crash_leaves_servers_behind_until_the_next_start_ends_them_from_the_record() throws Exception {
        HostRun host = startHost("-D" + ProcessGuard.DISABLE_PROPERTY + "=false");
        host.process.destroyForcibly();
        host.process.waitFor();
        assertThat(survivors(host.pids)).as("what the guard prevents").isNotEmpty();

        int ended = ProcessGuard.cleanUpCrashedRuns();

        assertThat(ended).isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> survivors(host.pids).isEmpty());
    }

    private record HostRun(Process process, List<Long> pids) {}

    private static HostRun startHost(String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dlogback.configurationFile=none"));
        command.addAll(Arrays.asList(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashHost.class.getName()));
        Process host = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<Long> pids = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("PIDS ")) {
                    Arrays.stream(line.substring(5).trim().split(" ")).map(Long::parseLong).forEach(pids::add);
                    break;
                }
            }
        }
        assertThat(pids).as("the host printed the pids it started").hasSizeGreaterThanOrEqualTo(5)
                .allMatch(McpServiceTest::alive);
        return new HostRun(host, pids);
    }

    private static List<Long> survivors(List<Long> pids) {
        return pids.stream().filter(McpServiceTest::alive).toList();
    }
}
