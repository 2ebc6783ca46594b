package dev.flowgentic4j.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Launch specs for the Java fixture MCP server (module {@code mcp/fixture}): a real subprocess on
 * its own classpath (the SDK's Jackson 3 and Reactor never reach this JVM's classpath), read from
 * the classpath file the fixture's build writes into its classes.
 */
public final class FixtureServers {
    public static final String MAIN_CLASS = "dev.flowgentic4j.mcp.fixture.FixtureServer";
    public static final String HOSTILE_CLASS = "dev.flowgentic4j.mcp.fixture.HostileServer";
    private static final String CLASSPATH_FILE = "flowgentic4j-mcp-fixture.classpath";

    private FixtureServers() {}

    /** The fixture server launched directly. */
    public static McpServerSpec.Stdio direct(String name, String... serverArgs) {
        return new McpServerSpec.Stdio(name, javaCommand(serverArgs), java.util.Map.of(), null);
    }

    /** The hand-written hostile server ({@code HostileServer}) launched directly. */
    public static McpServerSpec.Stdio hostile(String name, String... serverArgs) {
        List<String> command = new ArrayList<>(javaCommand());
        command.set(command.indexOf(MAIN_CLASS), HOSTILE_CLASS);
        command.addAll(List.of(serverArgs));
        return new McpServerSpec.Stdio(name, command, java.util.Map.of(), null);
    }

    /** The fixture server launched behind {@code sh -c}, which stays its parent. */
    public static McpServerSpec.Stdio viaShell(String name) {
        // "; exit" keeps sh as the parent (a lone command could be exec'd in its place)
        return McpServerSpec.stdio(name, "sh", "-c", String.join(" ", javaCommand()) + "; exit $?");
    }

    /** {@code java -cp <fixture classpath> FixtureServer args...}, tuned for a quick start. */
    public static List<String> javaCommand(String... serverArgs) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-cp", classpath(), MAIN_CLASS));
        command.addAll(List.of(serverArgs));
        return command;
    }

    /** The fixture's classes and its dependencies, as a class path. */
    public static String classpath() {
        ClassLoader loader = FixtureServers.class.getClassLoader();
        URL file = Objects.requireNonNull(loader.getResource(CLASSPATH_FILE),
                CLASSPATH_FILE + " is not on the test classpath: build the mcp/fixture module first");
        URL mainClass = Objects.requireNonNull(loader.getResource(MAIN_CLASS.replace('.', '/') + ".class"),
                "the fixture server's classes are not on the test classpath");
        try (InputStream in = file.openStream()) {
            String dependencies = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return classesRoot(mainClass) + java.io.File.pathSeparator + dependencies;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String classesRoot(URL classFile) {
        String url = classFile.toString();
        try {
            if (url.startsWith("jar:")) {
                return Path.of(new URL(url.substring(4, url.indexOf("!/"))).toURI()).toString();
            }
            Path path = Path.of(classFile.toURI());
            for (int i = 0; i < MAIN_CLASS.split("\\.").length; i++) {
                path = path.getParent();
            }
            return path.toString();
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot locate the fixture's classes from " + url, e);
        }
    }
}
