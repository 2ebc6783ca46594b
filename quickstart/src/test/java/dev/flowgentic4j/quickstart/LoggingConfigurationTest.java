package dev.flowgentic4j.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first run shows the demo, not a stack trace: every logging configuration in the repository
 * parses cleanly with logback's own configurator, no library module ships one its users would
 * inherit, and the main example run in a fresh JVM (the way README runs it) prints its demo and
 * nothing that looks like a stack trace or a logback status message.
 */
class LoggingConfigurationTest {
    /** Modules that are programs: they may (and do) carry a logback.xml. Every other module is a library. */
    private static final Set<String> APPLICATIONS = Set.of("quickstart", "examples", "benchmarks");
    private static final Pattern FILE_ELEMENT = Pattern.compile("<file>([^<]*)</file>");
    private static final Pattern STACK_TRACE = Pattern.compile(
            "(?m)^\\s+at [\\w.$/]+\\(|^Caused by: |^Exception in thread |^[\\w$]+(\\.[\\w$]+)+(Exception|Error)(: |$)"
            + "|\\|-(ERROR|WARN)");

    @TempDir
    Path logs;

    @Test
    void every_logback_configuration_in_the_repository_parses_without_errors_or_warnings() throws IOException {
        List<Path> configurations = logbackConfigurations();
        assertThat(configurations).as("logback configurations found under %s", repositoryRoot())
                .hasSizeGreaterThanOrEqualTo(5)
                .anyMatch(p -> p.endsWith(Path.of("quickstart", "src", "main", "resources", "logback.xml")));

        List<String> problems = new ArrayList<>();
        for (Path configuration : configurations) {
            problems.addAll(statusProblems(configuration));
        }

        assertThat(problems).as("logback's status messages").isEmpty();
    }

    @Test
    void a_broken_configuration_is_reported() throws IOException {
        Path broken = logs.resolve("logback.xml");
        Files.writeString(broken, "<configuration>\n  <!-- a comment -- with two dashes -->\n</configuration>\n");

        assertThat(statusProblems(broken)).isNotEmpty().anyMatch(p -> p.contains("ERROR"));
    }

    @Test
    void no_library_module_ships_a_logback_configuration() throws IOException {
        List<Path> modules;
        try (Stream<Path> poms = Files.walk(repositoryRoot(), 3)) {
            modules = poms.filter(p -> p.getFileName().toString().equals("pom.xml"))
                    .map(Path::getParent)
                    .filter(dir -> Files.isDirectory(dir.resolve("src/main")))
                    .filter(dir -> !dir.toString().contains("target"))
                    .toList();
        }
        List<Path> libraries = modules.stream()
                .filter(dir -> !APPLICATIONS.contains(repositoryRoot().relativize(dir).toString()))
                .toList();
        assertThat(libraries).extracting(dir -> repositoryRoot().relativize(dir).toString())
                .contains("workflows", "tools", "integration", "patterns", "ignite", "testkit", "mcp/core");

        List<Path> shipped = new ArrayList<>();
        for (Path library : libraries) {
            Path resources = library.resolve("src/main/resources");
            if (Files.isDirectory(resources)) {
                try (Stream<Path> files = Files.walk(resources)) {
                    files.filter(f -> f.getFileName().toString().startsWith("logback")).forEach(shipped::add);
                }
            }
        }
        assertThat(shipped).as("logging configurations that users of a library would inherit").isEmpty();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void the_main_example_in_a_fresh_jvm_prints_the_demo_and_no_stack_trace() throws Exception {
        String classPath = runtimeClassPath();
        assertThat(classPath).doesNotContain("test-classes");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, ServiceIntermittent.class.getName())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        process.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        boolean exited;
        try {
            exited = process.waitFor(100, TimeUnit.SECONDS);
        } finally {
            process.destroyForcibly();
        }
        assertThat(exited).as("ServiceIntermittent exited").isTrue();
        String stdout = out.get(10, TimeUnit.SECONDS);
        String stderr = err.get(10, TimeUnit.SECONDS);

        assertThat(process.exitValue()).as("exit code; stderr:%n%s", stderr).isZero();
        assertThat(stderr).as("stderr of the main example").doesNotContainPattern(STACK_TRACE);
        assertThat(stdout).as("stdout of the main example").doesNotContainPattern(STACK_TRACE);
        assertThat(stdout.stripLeading()).as("the output begins with the demo").startsWith("Part 1: Persistence Proof");
        assertThat(stdout).contains("Evidence");
    }

    @Test
    void the_stack_trace_pattern_sees_what_a_broken_first_run_printed() {
        assertThat("""
                21:40:02,118 |-ERROR in ch.qos.logback.core.joran.spi.Interpreter - Problem parsing XML document
                ch.qos.logback.core.joran.spi.JoranException: Problem parsing XML document
                \tat ch.qos.logback.core.joran.GenericXMLConfigurator.doConfigure(GenericXMLConfigurator.java:98)
                """).containsPattern(STACK_TRACE);
        assertThat("Exception in thread \"main\" java.lang.IllegalStateException: boom\n").containsPattern(STACK_TRACE);
        assertThat("  Request 1 → Server 1 ✅  [instance b8e224b3, GET /api/users, up 69 ms]\n")
                .doesNotContainPattern(STACK_TRACE);
    }

    /** Configures a fresh context from {@code configuration}; the WARN and ERROR statuses it reported. */
    private List<String> statusProblems(Path configuration) throws IOException {
        String xml = Files.readString(configuration, StandardCharsets.UTF_8);
        Matcher files = FILE_ELEMENT.matcher(xml);       // a file appender writes into a directory of this test
        StringBuilder redirected = new StringBuilder();
        while (files.find()) {
            String name = Path.of(files.group(1)).getFileName().toString();
            files.appendReplacement(redirected, Matcher.quoteReplacement(
                    "<file>" + logs.resolve(name).toString().replace(File.separatorChar, '/') + "</file>"));
        }
        files.appendTail(redirected);

        LoggerContext context = new LoggerContext();
        context.setName("check of " + configuration);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        List<String> problems = new ArrayList<>();
        try {
            configurator.doConfigure(new java.io.ByteArrayInputStream(
                    redirected.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (JoranException e) {
            problems.add(configuration + ": " + e);
        } finally {
            for (Status status : context.getStatusManager().getCopyOfStatusList()) {
                if (status.getEffectiveLevel() >= Status.WARN) {
                    problems.add(configuration + ": " + (status.getLevel() == Status.ERROR ? "ERROR " : "WARN ")
                            + status.getMessage());
                }
            }
            context.stop();
        }
        return problems;
    }

    private static List<Path> logbackConfigurations() throws IOException {
        Path root = repositoryRoot();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches("logback.*\\.xml"))
                    .filter(p -> root.relativize(p).toString().split("[/\\\\]").length > 0)
                    .filter(p -> Arrays.stream(root.relativize(p).toString().split("[/\\\\]"))
                            .noneMatch(part -> part.equals("target") || part.startsWith(".")))
                    .sorted()
                    .toList();
        }
    }

    /** The directory holding the root pom.xml and mvnw (the test runs in the module's directory). */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("mvnw")) && Files.exists(dir.resolve("pom.xml")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /**
     * The module's class path as {@code exec:java} sees it: this test's class path (read from
     * surefire's manifest-only jar if it uses one) without the test classes, whose
     * {@code logback-test.xml} would hide the module's own {@code logback.xml}.
     */
    private static String runtimeClassPath() throws IOException {
        List<String> entries = new ArrayList<>(Arrays.asList(System.getProperty("java.class.path")
                .split(File.pathSeparator)));
        if (entries.size() == 1 && entries.get(0).endsWith(".jar")) {
            try (JarFile booter = new JarFile(entries.get(0))) {
                Manifest manifest = booter.getManifest();
                String listed = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                if (listed != null) {
                    entries = Arrays.stream(listed.trim().split("\\s+"))
                            .map(url -> Path.of(java.net.URI.create(url)).toString())
                            .collect(Collectors.toCollection(ArrayList::new));
                }
            }
        }
        return entries.stream()
                .filter(entry -> !Path.of(entry).endsWith(Path.of("target", "test-classes")))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
