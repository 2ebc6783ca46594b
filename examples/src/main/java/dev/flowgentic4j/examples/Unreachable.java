package dev.flowgentic4j.examples;

import dev.flowgentic4j.patterns.DatabaseSettings;
import dev.flowgentic4j.patterns.EmbeddedDatabase;
import dev.flowgentic4j.patterns.RedisCache;
import dev.flowgentic4j.patterns.RedisSettings;
import dev.flowgentic4j.quickstart.OpenAiEndpoint;
import java.io.PrintStream;
import java.sql.SQLException;
import java.util.Optional;

/**
 * How the example programs end when a server they need is absent: one paragraph that says what was
 * unreachable, the option and environment variable that configure it and how to start one, then
 * exit status {@value #SERVER_UNREACHABLE}, with no stack trace around it (under {@code exec:java}
 * an exception would come back wrapped in Maven's own).
 */
public final class Unreachable {
    /** Exit status when a server the program needs cannot be reached. */
    public static final int SERVER_UNREACHABLE = 3;
    /** Exit status for any other failure. */
    public static final int FAILED = 1;

    /** A program's body. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private Unreachable() {}

    /** Runs {@code body}; on failure prints what went wrong to stderr and exits the JVM with a non-zero status. */
    public static void exitOnFailure(String program, Body body) {
        try {
            body.run();
        } catch (Exception e) {
            int status = report(program, e, System.err);
            System.exit(status);
        }
    }

    /**
     * Prints the paragraph for {@code failure} to {@code err}; returns the exit status:
     * {@value #SERVER_UNREACHABLE} if a server was unreachable, else {@value #FAILED}.
     */
    public static int report(String program, Throwable failure, PrintStream err) {
        Optional<String> paragraph = explain(failure);
        if (paragraph.isPresent()) {
            err.println(program + ": " + paragraph.get());
            return SERVER_UNREACHABLE;
        }
        err.println(program + " failed: " + failure);
        for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
            err.println("  caused by: " + cause);
        }
        return FAILED;
    }

    /** The paragraph for a failure caused by an absent server, if it was one. */
    public static Optional<String> explain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RedisCache.RedisUnavailableException) {
                return Optional.of(clause(t.getMessage()) + ". Configure Redis with --redis-url=redis://HOST:PORT or the "
                        + "environment variable " + RedisSettings.URL_VARIABLE + " (leave both unset and the "
                        + "examples start an embedded Redis, for demos only), or start one, for example with "
                        + "'redis-server --bind 127.0.0.1 --port 6379' or 'docker run -p 6379:6379 redis'.");
            }
            if (t instanceof SQLException && t.getMessage() != null && t.getMessage().contains("jdbc:")) {
                return Optional.of("PostgreSQL is unreachable: " + clause(t.getMessage()) + ". Configure it with "
                        + "--jdbc-url=jdbc:postgresql://HOST:PORT/DB (user --db-user, password in "
                        + DatabaseSettings.PASSWORD_VARIABLE + ") or the environment variable "
                        + DatabaseSettings.URL_VARIABLE + " (leave both unset and the examples start an embedded "
                        + "PostgreSQL), or start one, for example with 'pg_ctlcluster 15 main start' or 'docker run "
                        + "-p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres'.");
            }
            if (t instanceof IllegalStateException && EmbeddedDatabase.unavailableReason().isPresent()
                    && t.getMessage() != null && t.getMessage().startsWith("embedded PostgreSQL")) {
                return Optional.of(clause(t.getMessage()) + ".");
            }
            if (OpenAiEndpoint.unreachableCause(t).filter(t::equals).isPresent()) {
                return Optional.of(OpenAiEndpoint.unreachableAdvice("the chat model's endpoint", t));
            }
        }
        return Optional.empty();
    }

    /** {@code message} without its closing full stops, to go on with a sentence of ours. */
    private static String clause(String message) {
        return message.strip().replaceAll("\\.+$", "");
    }
}
