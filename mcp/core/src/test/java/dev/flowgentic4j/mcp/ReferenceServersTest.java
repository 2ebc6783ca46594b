package dev.flowgentic4j.mcp;

import static dev.flowgentic4j.mcp.McpServiceTest.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The npm reference servers ({@code @modelcontextprotocol/server-everything} and
 * {@code server-filesystem}) as services, over stdio and Streamable HTTP. Skipped, saying why, when
 * node or the packages are absent: {@code mcp/install-reference-servers.sh} installs them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReferenceServersTest {
    private static final Path MODULES = Path.of(System.getProperty("flowgentic4j.mcp.referenceServers",
            "target/reference-servers")).resolve("node_modules/@modelcontextprotocol");
    private static final Path EVERYTHING = MODULES.resolve("server-everything/dist/index.js");
    private static final Path FILESYSTEM = MODULES.resolve("server-filesystem/dist/index.js");

    private final LangGraphIntegration integration = LangGraphIntegration.create();
    private Process httpServer;

    @BeforeEach
    void needsNodeAndThePackages() {
        Assumptions.assumeTrue(onPath("node"), "node is not on the PATH: the npm reference-server tests are skipped");
        Assumptions.assumeTrue(Files.isRegularFile(EVERYTHING) && Files.isRegularFile(FILESYSTEM),
                "the npm reference servers are not installed under " + MODULES.toAbsolutePath()
                        + ": run mcp/install-reference-servers.sh (these tests are skipped)");
    }

    @AfterEach
    void tearDown() {
        integration.close();
        if (httpServer != null) {
            httpServer.destroyForcibly();
        }
    }

    private ServiceFuture<McpServer> start(McpServerSpec spec, McpOptions options) {
        return integration.executionWrappers()
                .serviceTask(McpServices.definition(spec, options)
                        // a restarted HTTP server may still be coming up when the service reconnects
                        .retry(RetryConfig.builder().maxAttempts(10).baseDelay(Duration.ofMillis(200)).build())
                        .build()).start(null);
    }

    @Test
    void server_everything_over_stdio_answers_reports_unreadable_content_and_restarts_after_kill_9() {
        ServiceFuture<McpServer> server = start(McpServerSpec.stdio("everything", "node", EVERYTHING.toString(), "stdio"),
                McpOptions.ofDefaults());
        Map<ToolSpecification, ToolExecutor> tools = McpTools.builder(server).prefix("ev_").build();

        assertThat(tools.keySet()).extracting(ToolSpecification::name).contains("ev_echo", "ev_get-sum");
        assertThat(call(tools, "ev_echo", "{\"message\":\"hello\"}")).isEqualTo("Echo: hello");
        assertThat(call(tools, "ev_get-tiny-image", "{}"))
                .startsWith("Error: tool 'get-tiny-image' of MCP server 'everything' returned content an agent cannot read");

        long pid = server.join().pid().orElseThrow();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.generation() == 2 && server.isRunning());
        assertThat(call(tools, "ev_echo", "{\"message\":\"again\"}")).isEqualTo("Echo: again");
        Set<Long> pids = server.join().processIds();

        server.cancel(true);

        assertThat(pids).noneMatch(McpServiceTest::alive);
    }

    @Test
    void server_filesystem_reads_and_lists_the_allowed_directory(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "persistent services", StandardCharsets.UTF_8);
        ServiceFuture<McpServer> server = start(McpServerSpec.stdio("files", "node", FILESYSTEM.toString(),
                dir.toRealPath().toString()), McpOptions.ofDefaults());
        Map<ToolSpecification, ToolExecutor> tools = McpTools.builder(server)
                .filter(name -> name.startsWith("read") || name.startsWith("list")).build();

        assertThat(tools.keySet()).extracting(ToolSpecification::name).contains("read_text_file", "list_directory")
                .doesNotContain("write_file");
        String file = dir.toRealPath().resolve("notes.txt").toString();
        assertThat(call(tools, "read_text_file", "{\"path\":\"" + file + "\"}")).contains("persistent services"); // structured content, as JSON
        assertThat(call(tools, "list_directory", "{\"path\":\"" + dir.toRealPath() + "\"}")).contains("notes.txt");
        assertThat(call(tools, "read_text_file", "{\"path\":\"/etc/hostname\"}"))
                .startsWith("Error: tool 'read_text_file' of MCP server 'files' returned an error")
                .contains("outside allowed directories");
    }

    @Test
    void server_everything_over_streamable_http_survives_a_restart_of_the_http_server() throws Exception {
        int port = freePort();
        httpServer = startHttpServer(port);
        ServiceFuture<McpServer> server = start(McpServerSpec.http("everything-http",
                URI.create("http://127.0.0.1:" + port + "/mcp")),
                McpOptions.builder().pingInterval(Duration.ofMillis(300)).pingTimeout(Duration.ofSeconds(2)).build());
        Map<ToolSpecification, ToolExecutor> tools = McpTools.of(server);
        assertThat(call(tools, "echo", "{\"message\":\"over http\"}")).isEqualTo("Echo: over http");

        httpServer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        httpServer = startHttpServer(port); // a new server process: the old session is unknown to it

        await().atMost(Duration.ofSeconds(30)).until(() -> server.generation() >= 2 && server.isRunning());
        assertThat(call(tools, "echo", "{\"message\":\"new session\"}")).isEqualTo("Echo: new session");
    }

    private Process startHttpServer(int port) throws IOException {
        Path preload = Files.createTempFile("loopback-only", ".cjs");
        try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream("/loopback-only.cjs"))) {
            Files.write(preload, in.readAllBytes());
        }
        ProcessBuilder builder = new ProcessBuilder("node", "--require", preload.toString(), EVERYTHING.toString(),
                "streamableHttp").redirectErrorStream(true);
        builder.environment().put("PORT", String.valueOf(port));
        Process process = builder.start();
        // wait for the line that says it listens (reading its output, which also keeps the pipe drained)
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null && !line.contains("listening on port")) {
            // start-up chatter
        }
        Thread drain = new Thread(() -> {
            try {
                while (reader.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // closed with the process
            }
        }, "everything-http-output");
        drain.setDaemon(true);
        drain.start();
        assertThat(line).as("the HTTP server's start-up line").isNotNull();
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean onPath(String program) {
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
