package dev.flowgentic4j.integration;

import static dev.flowgentic4j.integration.ExecutionReportHostileNamesTest.fences;
import static org.assertj.core.api.Assertions.assertThat;
import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;

import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.telemetry.CallEvent;
import dev.flowgentic4j.workflows.telemetry.EventRecorder;
import dev.flowgentic4j.workflows.telemetry.FlowEvent;
import dev.flowgentic4j.workflows.telemetry.ServiceEvent;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a run with a service restarted blue/green while a node's call is still on its
 * first generation, and a service with two replicas: the timeline draws both generations, which
 * overlap while the first drains, and one section per replica with the calls each served. Parsed
 * back from the written files; the services have names the formats would misread.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExecutionReportGenerationsTest {
    static final String BLUE_GREEN = "cache<b>|`x`";
    static final String POOL = "pool\n# section";

    static Path dir;
    static List<FlowEvent> events;
    static String cacheId;
    static String poolId;
    static List<String> replicaIds;

    @BeforeAll
    static void run(@TempDir Path tmp) throws Exception {
        dir = tmp.resolve("report");
        LangGraphIntegration integration = LangGraphIntegration.create();
        EventRecorder recorder = integration.telemetry().record();
        try (integration) {
            ExecutionWrappers wrappers = integration.executionWrappers();
            ServiceFuture<String> cache = wrappers.serviceTask(ServiceDefinition
                    .builder(BLUE_GREEN, (String version) -> "cache " + version).build()).start("v1");
            ServiceFuture<String> pool = wrappers.serviceTask(ServiceDefinition
                    .builder(POOL, (String version) -> "pool " + version).replicas(2).build()).start("v1");
            cache.join();
            pool.join();
            pool.replicas().forEach(ServiceFuture::join); // both replicas live before the calls that spread over them
            cacheId = cache.id();
            poolId = pool.id();
            replicaIds = pool.replicas().stream().map(ServiceFuture::id).toList();

            // a graph whose node holds a call on the cache's first generation
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            StateGraph<AgentState> holding = integration.observe(Graphs.define(() -> new StateGraph<>(AgentState::new)
                    .addNode("hold", wrappers.serviceNode(cache, (svc, s) -> {
                        inside.countDown();
                        release.await();
                        return Map.of("held", svc);
                    }))
                    .addEdge(START, "hold").addEdge("hold", END)));
            CompiledGraph<AgentState> holdingGraph = Graphs.compile(holding);
            CompletableFuture<AgentState> held = CompletableFuture.supplyAsync(
                    () -> holdingGraph.invoke(Map.of()).orElseThrow());
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

            // blue/green: generation 2 takes the next calls while the node's call drains on generation 1
            assertThat(cache.restart().get(30, TimeUnit.SECONDS)).isEqualTo(2);
            ToolExecutor lookup = wrappers.agentToolAsService(cache, "lookup", "reads the cache", List.of(),
                    (svc, args) -> svc).values().iterator().next();
            assertThat(lookup.executeWithContext(ToolExecutionRequest.builder().id("1").name("lookup").arguments("{}")
                    .build(), InvocationContext.builder().build()).resultText()).isEqualTo("cache v1");
            release.countDown();
            assertThat(held.get(30, TimeUnit.SECONDS).data()).containsEntry("held", "cache v1");

            // a graph of four nodes on the replicated pool: sequential calls alternate between its replicas
            StateGraph<AgentState> spread = integration.observe(Graphs.define(() -> {
                StateGraph<AgentState> g = new StateGraph<>(AgentState::new);
                for (int i = 1; i <= 4; i++) {
                    g.addNode("use " + i, wrappers.serviceNode(pool, (svc, s) -> Map.of()));
                    g.addEdge(i == 1 ? START : "use " + (i - 1), "use " + i);
                }
                return g.addEdge("use 4", END);
            }));
            Graphs.compile(spread).invoke(Map.of()).orElseThrow();
            // the drain of the cache's generation 1 ends once the node's call returned: DRAINED
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> recorder.events()
                    .stream().anyMatch(e -> e instanceof ServiceEvent s && s.type() == ServiceEvent.Type.DRAINED));
        }
        recorder.close();
        events = recorder.events();
        ExecutionReport.builder("generations and replicas").events(events).write(dir);
    }

    private static List<CallEvent> ends() {
        return events.stream().filter(e -> e instanceof CallEvent c && c.phase() == CallEvent.Phase.END)
                .map(e -> (CallEvent) e).toList();
    }

    @Test
    void call_events_name_the_generation_and_the_replica_that_served_them() {
        CallEvent hold = ends().stream().filter(e -> e.name().equals("hold")).findFirst().orElseThrow();
        assertThat(hold.serviceId()).isEqualTo(cacheId);
        assertThat(hold.generation()).as("the node's call was served by the first generation").isEqualTo(1);
        assertThat(hold.replica()).isNull();
        CallEvent lookup = ends().stream().filter(e -> e.name().equals("lookup")).findFirst().orElseThrow();
        assertThat(lookup.generation()).as("the tool call after the switch").isEqualTo(2);
        List<CallEvent> uses = ends().stream().filter(e -> e.name().startsWith("use ")).toList();
        assertThat(uses).hasSize(4).allSatisfy(e -> {
            assertThat(e.serviceId()).isEqualTo(poolId);
            assertThat(e.replica()).isIn(replicaIds);
            assertThat(e.generation()).isEqualTo(1);
        });
        assertThat(uses.stream().map(CallEvent::replica).distinct()).hasSize(2);
    }

    /** A task line of the Gantt chart: label, tag, id, start, end. */
    private record Task(String section, String label, double start, double end) {}

    private static final Pattern TASK = Pattern.compile(" {4}([^:]+?) :(?:(crit|active), )?t\\d+, (\\d+), (\\d+)");

    private static List<Task> gantt() throws Exception {
        String md = Files.readString(dir.resolve(ExecutionReport.SUMMARY_FILE), StandardCharsets.UTF_8);
        List<String> blocks = fences(md);
        assertThat(blocks).hasSize(1); // no graph given: the timeline only
        List<Task> tasks = new ArrayList<>();
        String section = null;
        for (String line : blocks.get(0).lines().toList()) {
            if (line.startsWith("    section ")) {
                assertThat(line).matches(" {4}section [^#:;%\\n]+");
                section = line.substring(12);
                continue;
            }
            Matcher m = TASK.matcher(line);
            if (m.matches()) {
                assertThat(m.group(1)).matches("(starting g\\d+|running g\\d+|(node|tool|task) [^#:;%]*)");
                tasks.add(new Task(section, m.group(1), Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))));
            } else {
                assertThat(line).isIn("gantt", "    title Timeline (ms from the first event)", "    dateFormat x",
                        "    axisFormat %S.%L s");
            }
        }
        return tasks;
    }

    @Test
    void the_timeline_draws_two_overlapping_generations_of_the_service_restarted_blue_green() throws Exception {
        List<Task> cache = gantt().stream().filter(t -> t.section().equals(ganttName(cacheId))).toList();
        Task g1 = cache.stream().filter(t -> t.label().equals("running g1")).findFirst().orElseThrow();
        Task g2 = cache.stream().filter(t -> t.label().equals("running g2")).findFirst().orElseThrow();
        Task starting2 = cache.stream().filter(t -> t.label().equals("starting g2")).findFirst().orElseThrow();
        assertThat(starting2.start()).isGreaterThanOrEqualTo(g1.start()).isLessThanOrEqualTo(g2.start());
        assertThat(g2.start()).as("generation 2 is live before generation 1 stopped").isLessThan(g1.end());
        Task hold = cache.stream().filter(t -> t.label().equals("node hold")).findFirst().orElseThrow();
        // the node held its call on generation 1 across the switch: it drew before g2 went live and ended after
        // (the node's bar also covers the graph's own work after the call, so its end is not compared with g1's)
        assertThat(hold.start()).as("the held call began on generation 1").isLessThanOrEqualTo(g2.start());
        assertThat(hold.end()).as("the held call drained after generation 2 was live").isGreaterThanOrEqualTo(g2.start());
        assertThat(cache).extracting(Task::label).contains("tool lookup");
    }

    @Test
    void the_timeline_has_one_section_per_replica_with_the_calls_it_served() throws Exception {
        List<Task> tasks = gantt();
        List<String> sections = tasks.stream().map(Task::section).distinct().toList();
        assertThat(sections).contains(ganttName(replicaIds.get(0)), ganttName(replicaIds.get(1)));
        assertThat(sections).doesNotContain(ganttName(poolId)); // the handle has no life of its own here
        for (String replica : replicaIds) {
            List<Task> row = tasks.stream().filter(t -> t.section().equals(ganttName(replica))).toList();
            assertThat(row).extracting(Task::label).contains("starting g1", "running g1");
            long served = ends().stream().filter(e -> replica.equals(e.replica())).count();
            assertThat(row.stream().filter(t -> t.label().startsWith("node use ")).count()).isEqualTo(served).isPositive();
        }
    }

    @Test
    void the_html_timeline_draws_each_generation_on_its_own_row_and_each_replica() throws Exception {
        Document html = Jsoup.parse(dir.resolve(ExecutionReport.HTML_FILE).toFile(), "UTF-8");
        List<String> labels = html.select("#timeline text[font-size=12]").eachText();
        assertThat(labels).contains("generation 1", "generation 2"); // the cache's two generations, a row each
        // the cache: 2 generations (starting and running each); each replica: starting and running
        assertThat(html.select("#timeline rect.bar.life")).hasSize(4 + 2 * 2);
        List<String> tips = html.select("#timeline rect.bar.life title").eachText();
        // the node's call on generation 1, the tool call on generation 2
        assertThat(tips).contains(text(cacheId) + " generation 1 running, 1 calls served",
                text(cacheId) + " generation 2 running, 1 calls served");
        for (String id : replicaIds) {
            long served = ends().stream().filter(e -> id.equals(e.replica())).count();
            assertThat(tips).contains(text(id) + " generation 1 running, " + served + " calls served");
        }
    }

    /** {@code id} as an HTML parser's text: whitespace runs as one space. */
    private static String text(String id) {
        return id.replaceAll("\\s+", " ").strip();
    }

    /** The Gantt name of {@code text}, re-stated so the test does not trust the code it checks. */
    private static String ganttName(String text) {
        return text.replaceAll("[^\\p{L}\\p{N}_\\-.,()/'+=@!?]+", " ").strip();
    }
}
