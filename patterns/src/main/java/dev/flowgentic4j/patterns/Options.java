package dev.flowgentic4j.patterns;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the example programs, read from {@code --name=value} command-line options and
 * environment variables; a command-line option wins over its variable. Immutable.
 *
 * <pre>{@code
 * Options options = Options.of(System.getenv(), args);
 * Optional<String> url = options.value("jdbc-url", "FLOWGENTIC4J_JDBC_URL");
 * }</pre>
 */
public final class Options {
    private final Map<String, String> environment;
    private final Map<String, String> commandLine;

    private Options(Map<String, String> environment, Map<String, String> commandLine) {
        this.environment = environment;
        this.commandLine = commandLine;
    }

    /**
     * @throws IllegalArgumentException if an argument is not of the form {@code --name=value}
     * @throws NullPointerException if an argument is null
     */
    public static Options of(Map<String, String> environment, String... args) {
        Map<String, String> parsed = new HashMap<>();
        for (String arg : List.of(args)) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 3) {
                throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
            }
            parsed.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return new Options(Map.copyOf(Objects.requireNonNull(environment, "environment")), Map.copyOf(parsed));
    }

    /** No options and no environment: every setting takes its default. */
    public static Options none() {
        return new Options(Map.of(), Map.of());
    }

    /** The option {@code --name=...}, else the environment variable {@code variable}; blank counts as absent. */
    public Optional<String> value(String name, String variable) {
        String value = commandLine.get(name);
        if (value == null && variable != null) {
            value = environment.get(variable);
        }
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }

    /** The environment variable alone, for secrets that must not appear on a command line. */
    public Optional<String> environmentValue(String variable) {
        return Optional.ofNullable(environment.get(variable)).filter(v -> !v.isBlank());
    }

    /** Like {@link #value(String, String)}, read as an int; {@code fallback} when absent. */
    public int intValue(String name, String variable, int fallback) {
        return value(name, variable).map(v -> {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be an integer, was '" + v + "'", e);
            }
        }).orElse(fallback);
    }
}
