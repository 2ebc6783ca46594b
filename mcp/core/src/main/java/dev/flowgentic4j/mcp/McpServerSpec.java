package dev.flowgentic4j.mcp;

import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an MCP server comes from: a command run as a subprocess that speaks MCP on its stdin and
 * stdout ({@link Stdio}), or a Streamable HTTP endpoint ({@link Http}). Immutable; its name names
 * the service and appears in every error about it.
 *
 * <pre>{@code
 * McpServerSpec files = McpServerSpec.stdio("files", "node", "server-filesystem/dist/index.js", "/tmp")
 *     .withEnvironment(Map.of("LOG_LEVEL", "warn"))
 *     .withWorkingDirectory(Path.of("/srv"));
 * McpServerSpec remote = McpServerSpec.http("everything", URI.create("http://127.0.0.1:3001/mcp"))
 *     .withHeaders(Map.of("Authorization", "Bearer " + token));
 * }</pre>
 */
public sealed interface McpServerSpec permits McpServerSpec.Stdio, McpServerSpec.Http {

    /** The server's name: the service's name, and the name in every error about it. */
    String name();

    /**
     * A server launched as {@code command} with {@code arguments}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} or {@code command} is blank
     */
    static Stdio stdio(String name, String command, String... arguments) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(arguments, "arguments");
        List<String> all = new java.util.ArrayList<>();
        all.add(command);
        all.addAll(Arrays.asList(arguments));
        return new Stdio(name, all, Map.of(), null);
    }

    /**
     * A server reached over Streamable HTTP at {@code url}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank or {@code url} is not http(s)
     */
    static Http http(String name, URI url) {
        return new Http(name, url, Map.of());
    }

    /**
     * A stdio server: {@code command} (program then arguments), extra {@code environment}
     * variables on top of this JVM's, and an optional working directory.
     */
    record Stdio(String name, List<String> command, Map<String, String> environment, Path workingDirectory)
            implements McpServerSpec {
        public Stdio {
            name = requireName(name);
            command = List.copyOf(Objects.requireNonNull(command, "command"));
            if (command.isEmpty() || command.get(0).isBlank()) {
                throw new IllegalArgumentException("command of MCP server '" + name + "' must name a program, was "
                        + command);
            }
            environment = Map.copyOf(new LinkedHashMap<>(Objects.requireNonNull(environment, "environment")));
        }

        /** A copy with these extra environment variables. */
        public Stdio withEnvironment(Map<String, String> environment) {
            return new Stdio(name, command, environment, workingDirectory);
        }

        /** A copy that starts in {@code directory}. */
        public Stdio withWorkingDirectory(Path directory) {
            return new Stdio(name, command, environment, Objects.requireNonNull(directory, "directory"));
        }

        public Optional<Path> workingDirectoryIfSet() {
            return Optional.ofNullable(workingDirectory);
        }

        /**
         * The server for messages, events and logs: its name and the file name of its program.
         * Arguments, environment and working directory are never shown: they may hold credentials
         * ({@code --api-key=...}).
         */
        @Override
        public String toString() {
            String program = command.get(0);
            int slash = Math.max(program.lastIndexOf('/'), program.lastIndexOf('\\'));
            program = program.substring(slash + 1);
            if (program.length() > 40 || !program.matches("[A-Za-z0-9._+-]+")) {
                program = "program";
            }
            return "MCP server '" + name + "' (" + program + (command.size() > 1 ? ", " + (command.size() - 1)
                    + " argument" + (command.size() > 2 ? "s" : "") + " not shown" : "") + ")";
        }
    }

    /** A Streamable HTTP server at {@code url}, sent {@code headers} with every request. */
    record Http(String name, URI url, Map<String, String> headers) implements McpServerSpec {
        public Http {
            name = requireName(name);
            Objects.requireNonNull(url, "url");
            if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
                throw new IllegalArgumentException("url of MCP server '" + name + "' must be http or https, was " + url);
            }
            headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
        }

        /** A copy that sends these headers. */
        public Http withHeaders(Map<String, String> headers) {
            return new Http(name, url, headers);
        }

        /**
         * The server for messages, events and logs: its name and the URL's scheme, host, port and
         * path. Headers, user info, query and fragment are never shown: they may hold credentials.
         */
        @Override
        public String toString() {
            String where = url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                    + (url.getRawPath() == null ? "" : url.getRawPath());
            return "MCP server '" + name + "' (" + where + ")";
        }
    }

    private static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name of an MCP server must not be blank");
        }
        return name;
    }
}
