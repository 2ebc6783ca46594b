package dev.flowgentic4j.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** MCP servers as persistent services, against the real fixture server run as a subprocess. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class McpServiceTest {
    private static final Duration READY = Duration.ofSeconds(30);

    private final LangGraphIntegration integration = LangGraphIntegration.create();
    private final ExecutionWrappers wrappers = integration.executionWrappers();

    @AfterEach
    void closeIntegration() {
        integration.close();
    }

    private ServiceFuture<McpServer> start(McpServerSpec spec, McpOptions options) {
        return wrappers.serviceTask(McpServices.definition(spec, options).retry(RetryConfig.noRetry()).build())
                .start(null);
    }

    private ServiceFuture<McpServer> startFixture() {
        return start(FixtureServers.direct("fixture"), McpOptions.ofDefaults());
    }

    static String call(Map<ToolSpecification, ToolExecutor> tools, String name, String arguments) {
        ToolSpecification spec = tools.keySet().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        return tools.get(spec).execute(ToolExecutionRequest.builder().id("1").name(name).arguments(arguments).build(), null);
    }

    /** Alive and not a zombie (an orphan killed here may wait forever for a PID 1 that does not reap it). */
    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(dev.flowgentic4j.mcp.internal.ProcessTree::isRunning).orElse(false);
    }

    @Test
    void the_service_is_running_once_the_tools_are_listed_and_offers_them_as_agent_tools() {
        ServiceFuture<McpServer> server = startFixture();

        Map<ToolSpecification, ToolExecutor> tools = McpTools.of(server);

        assertThat(server.state()).isEqualTo(ServiceState.RUNNING);
        assertThat(tools.keySet()).extracting(ToolSpecification::name)
                .containsExactlyInAnyOrder("add", "count", "pid", "sleep", "fail", "image", "env", "cwd");
        ToolSpecification add = tools.keySet().stream().filter(s -> s.name().equals("add")).findFirst().orElseThrow();
        assertThat(add.description()).isEqualTo("Adds two integers");
        assertThat(add.parameters().properties()).containsOnlyKeys("a", "b");
        assertThat(add.parameters().required()).containsExactlyInAnyOrder("a", "b");
        assertThat(call(tools, "add", "{\"a\":2,\"b\":40}")).isEqualTo("42");
    }

    @Test
    void one_process_serves_every_call_of_two_agents_and_keeps_its_state() throws Exception {
        ServiceFuture<McpServer> server = startFixture();
        Map<ToolSpecification, ToolExecutor> firstAgent = McpTools.of(server);
        Map<ToolSpecification, ToolExecutor> secondAgent = McpTools.builder(server).prefix("fx_").build();
        long pid = server.join().pid().orElseThrow();

        ExecutorService agents = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<String>>> runs = new ArrayList<>();
            runs.add(agents.submit(() -> callMany(firstAgent, "count", "pid")));
            runs.add(agents.submit(() -> callMany(secondAgent, "fx_count", "fx_pid")));
            for (Future<List<String>> run : runs) {
                assertThat(run.get(60, TimeUnit.SECONDS)).containsOnly(String.valueOf(pid));
            }
        } finally {
            agents.shutdownNow();
        }

        assertThat(call(firstAgent, "count", "{}")).isEqualTo("41"); // 2 agents x 20 counts, then this one
        assertThat(server.generation()).isEqualTo(1);
        assertThat(server.callCount()).isEqualTo(81);
    }

    private static List<String> callMany(Map<ToolSpecification, ToolExecutor> tools, String count, String pid) {
        List<String> pids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            assertThat(Integer.parseInt(call(tools, count, "{}"))).isPositive();
            pids.add(call(tools, pid, "{}"));
        }
        return pids;
    }

    @Test
    void a_server_killed_while_idle_is_noticed_and_restarted_as_generation_2_and_the_next_call_succeeds() {
        ServiceFuture<McpServer> server = startFixture();
        Map<ToolSpecification, ToolExecutor> tools = McpTools.of(server);
        long firstPid = Long.parseLong(call(tools, "pid", "{}"));
        call(tools, "count", "{}");

        assertThat(ProcessHandle.of(firstPid).orElseThrow().destroyForcibly()).isTrue(); // SIGKILL

        await().atMost(Duration.ofSeconds(30)).until(() -> server.generation() == 2 && server.isRunning());
        long secondPid = Long.parseLong(call(tools, "pid", "{}"));
        assertThat(secondPid).isNotEqualTo(firstPid);
        assertThat(call(tools, "count", "{}")).isEqualTo("1"); // a new process, a new session: fresh state
        assertThat(alive(firstPid)).isFalse();
        assertThat(server.join().pid()).hasValue(secondPid);
    }

    @Test
    void a_server_killed_during_a_call_fails_that_call_with_what_happened_and_the_next_call_reaches_generation_2()
            throws Exception {
        ServiceFuture<McpServer> server = startFixture();
        Map<ToolSpecification, ToolExecutor> tools = McpTools.of(server);
        long firstPid = server.join().pid().orElseThrow();

        CompletableFuture<String> longCall = CompletableFuture.supplyAsync(() -> call(tools, "sleep", "{\"millis\":60000}"));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.inFlightCalls() == 1);
        ProcessHandle.of(firstPid).orElseThrow().destroyForcibly();

        String failed = longCall.get(20, TimeUnit.SECONDS); // not the 60 s of the sleep, nor the tool timeout
        // killed after the request went out ("failed: ... during the call") or just before ("cannot be called: ...")
        assertThat(failed).matches("Error: tool 'sleep' of MCP server 'fixture' (failed|cannot be called): the server"
                + " process " + firstPid + " exited with code 137 \\(killed by signal 9\\).*");
        await().atMost(Duration.ofSeconds(30)).until(() -> server.generation() == 2 && server.isRunning());
        assertThat(call(tools, "add", "{\"a\":1,\"b\":1}")).isEqualTo("2");
        assertThat(server.join().pid().orElseThrow()).isNotEqualTo(firstPid);
    }

    @Test
    void close_ends_the_server_process() {
        ServiceFuture<McpServer> server = startFixture();
        Set<Long> pids = server.join().processIds();
        assertThat(pids).isNotEmpty().allMatch(McpServiceTest::alive);

        assertThat(server.cancel(true)).isTrue();

        assertThat(server.state()).isEqualTo(ServiceState.TERMINATED);
        assertThat(pids).noneMatch(McpServiceTest::alive);
    }

    @Test
    void close_ends_a_server_launched_through_sh_c_and_its_child_which_would_otherwise_survive() {
        ServiceFuture<McpServer> server = start(FixtureServers.viaShell("shell"), McpOptions.ofDefaults());
        McpServer live = server.join();
        long shellPid = live.pid().orElseThrow();
        long javaPid = Long.parseLong(call(McpTools.of(server), "pid", "{}"));
        assertThat(javaPid).isNotEqualTo(shellPid);
        assertThat(live.processIds()).contains(shellPid, javaPid);

        integration.close();

        assertThat(alive(shellPid)).isFalse();
        assertThat(alive(javaPid)).isFalse();
    }

    @Test
    void a_server_tree_that_ignores_sigterm_is_killed_forcibly_within_the_stop_timeout() {
        McpServerSpec.Stdio deaf = McpServerSpec.stdio("deaf", "sh", "-c",
                "trap '' TERM; " + String.join(" ", FixtureServers.javaCommand()) + "; exit $?");
        ServiceFuture<McpServer> server = start(deaf, McpOptions.builder().stopTimeout(Duration.ofSeconds(2)).build());
        McpServer live = server.join();
        long javaPid = Long.parseLong(call(McpTools.of(server), "pid", "{}"));
        Set<Long> pids = live.processIds();
        assertThat(pids).contains(live.pid().orElseThrow(), javaPid);

        assertThat(server.cancel(true)).isTrue();

        assertThat(server.state()).as("%s", server.failureCause()).isEqualTo(ServiceState.TERMINATED);
        assertThat(pids).noneMatch(McpServiceTest::alive);
    }

    @Test
    void a_server_killed_behind_sh_c_is_restarted_too() {
        ServiceFuture<McpServer> server = start(FixtureServers.viaShell("shell"), McpOptions.ofDefaults());
        Map<ToolSpecification, ToolExecutor> tools = McpTools.of(server);
        long javaPid = Long.parseLong(call(tools, "pid", "{}"));

        ProcessHandle.of(javaPid).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofSeconds(30)).until(() -> server.generation() == 2 && server.isRunning());
        assertThat(Long.parseLong(call(tools, "pid", "{}"))).isNotEqualTo(javaPid);
    }

    @Test
    void the_server_gets_its_environment_and_working_directory(@TempDir Path dir) throws Exception {
        McpServerSpec.Stdio spec = FixtureServers.direct("fixture")
                .withEnvironment(Map.of("FLOWGENTIC4J_GREETING", "hello from the spec"))
                .withWorkingDirectory(dir);
        Map<ToolSpecification, ToolExecutor> tools = McpTools.of(start(spec, McpOptions.ofDefaults()));

        assertThat(call(tools, "env", "{\"name\":\"FLOWGENTIC4J_GREETING\"}")).isEqualTo("hello from the spec");
        assertThat(Path.of(call(tools, "cwd", "{}")).toRealPath()).isEqualTo(dir.toRealPath());
    }

    @Test
    void every_failure_of_a_call_is_a_result_the_model_reads() {
        ServiceFuture<McpServer> server = start(FixtureServers.direct("fixture"),
                McpOptions.builder().toolTimeout(Duration.ofMillis(500)).build());
        Map<ToolSpecification, ToolExecutor> tools = McpTools.of(server);

        assertThat(call(tools, "fail", "{\"message\":\"disk is full\"}"))
                .isEqualTo("Error: tool 'fail' of MCP server 'fixture' returned an error: disk is full");
        assertThat(call(tools, "image", "{}"))
                .startsWith("Error: tool 'image' of MCP server 'fixture' returned content an agent cannot read as text")
                .contains("image");
        assertThat(call(tools, "sleep", "{\"millis\":5000}")).isEqualTo("Error: tool 'sleep' of MCP server 'fixture'"
                + " timed out after PT0.5S (the call was cancelled on the server; its result is unknown)");
        assertThat(call(tools, "add", "not json")).startsWith("Error: invalid arguments for tool 'add': "
                + "arguments are not valid JSON");
        String unknown = server.call(READY, live -> {
            try {
                return live.callTool("no_such_tool", "{}");
            } catch (McpException e) {
                return e.getMessage();
            }
        });
        assertThat(unknown).startsWith("tool 'no_such_tool' of MCP server 'fixture' does not exist (its tools: add, ");

        ToolExecutionResult result = tools.get(tools.keySet().stream().filter(s -> s.name().equals("fail"))
                .findFirst().orElseThrow()).executeWithContext(ToolExecutionRequest.builder().id("1").name("fail")
                .arguments("{\"message\":\"x\"}").build(), null);
        assertThat(result.isError()).isTrue();
        assertThat(call(tools, "add", "{\"a\":3,\"b\":4}")).isEqualTo("7"); // the session is still fine
    }

    @Test
    void tools_can_be_filtered_and_renamed_and_a_clash_is_refused() {
        ServiceFuture<McpServer> server = startFixture();

        Map<ToolSpecification, ToolExecutor> tools = McpTools.builder(server)
                .filter(name -> Set.of("add", "count").contains(name)).prefix("calc_").build();

        assertThat(tools.keySet()).extracting(ToolSpecification::name).containsExactlyInAnyOrder("calc_add", "calc_count");
        assertThat(call(tools, "calc_add", "{\"a\":5,\"b\":6}")).isEqualTo("11");
        assertThatThrownBy(() -> McpTools.builder(server).rename(name -> "same").build())
                .isInstanceOf(McpException.class).hasMessageContaining("would both be offered as 'same'");
    }

    @Test
    void a_command_that_does_not_exist_fails_the_start_naming_the_server() {
        ServiceFuture<McpServer> server = start(McpServerSpec.stdio("ghost", "/no/such/mcp-server", "--stdio"),
                McpOptions.ofDefaults());

        assertThatThrownBy(server::join).isInstanceOf(ServiceFailedException.class)
                .hasMessageContaining("ghost");
        assertThat(server.failureCause()).get().satisfies(cause -> assertThat(causeChain(cause))
                .anySatisfy(c -> assertThat(c).isInstanceOf(McpException.class)
                        .hasMessageStartingWith("MCP server 'ghost' (mcp-server, 1 argument not shown) could not be started")));
    }

    @Test
    void a_server_that_never_answers_initialize_fails_the_start_after_the_timeout_and_is_ended() {
        ServiceFuture<McpServer> server = start(FixtureServers.direct("mute", "--never-initialize"),
                McpOptions.builder().initializationTimeout(Duration.ofSeconds(2)).build());

        assertThatThrownBy(server::join).isInstanceOf(ServiceFailedException.class).hasMessageContaining("mute");
        assertThat(causeChain(server.failureCause().orElseThrow())).anySatisfy(c -> assertThat(c)
                .isInstanceOf(McpException.class).hasMessageStartingWith("MCP server 'mute' (java, ")
                .hasMessageContaining("did not answer initialize and list its tools within PT2S"));
        assertThat(ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("--never-initialize"))
                .filter(dev.flowgentic4j.mcp.internal.ProcessTree::isRunning)).isEmpty();
    }

    @Test
    void a_server_that_exits_at_once_fails_the_start_with_its_exit_code_and_stderr() {
        ServiceFuture<McpServer> server = start(McpServerSpec.stdio("quitter", "sh", "-c",
                "echo 'no config file' >&2; exit 3"), McpOptions.ofDefaults());

        assertThatThrownBy(server::join).isInstanceOf(ServiceFailedException.class);
        assertThat(causeChain(server.failureCause().orElseThrow())).anySatisfy(c -> assertThat(c)
                .isInstanceOf(McpException.class).hasMessageContaining("MCP server 'quitter'")
                .hasMessageContaining("stopped before it listed its tools: the server process")
                .hasMessageContaining("exited with code 3"));
    }

    @Test
    void an_http_url_that_refuses_fails_the_start_naming_the_server() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        ServiceFuture<McpServer> server = start(McpServerSpec.http("remote",
                java.net.URI.create("http://127.0.0.1:" + closedPort + "/mcp")),
                McpOptions.builder().initializationTimeout(Duration.ofSeconds(5)).build());

        assertThatThrownBy(server::join).isInstanceOf(ServiceFailedException.class).hasMessageContaining("remote");
        assertThat(causeChain(server.failureCause().orElseThrow())).anySatisfy(c -> assertThat(c)
                .isInstanceOf(McpException.class)
                .hasMessage("MCP server 'remote' (http://127.0.0.1:" + closedPort + "/mcp) refused the connection"));
    }

    @Test
    void specs_and_options_refuse_bad_input_naming_it() {
        assertThatThrownBy(() -> McpServerSpec.stdio(" ", "node")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> McpServerSpec.stdio("x", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("command of MCP server 'x'");
        assertThatThrownBy(() -> McpServerSpec.http("x", java.net.URI.create("ftp://host/mcp")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be http or https");
        assertThatThrownBy(() -> McpOptions.builder().toolTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("toolTimeout");
        assertThat(Files.exists(Path.of(FixtureServers.javaCommand().get(0)))).isTrue();
    }

    static List<Throwable> causeChain(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }
}
