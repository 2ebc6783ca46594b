package dev.flowgentic4j.ignite.internal;

import org.apache.ignite.logger.slf4j.Slf4jLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ignite's SLF4J logger, never "quiet": a quiet Ignite logger (what Ignite's own one turns into when
 * INFO is off) prints a banner and summaries straight to the console. This one leaves all output to
 * the application's SLF4J configuration.
 */
final class Slf4jOnlyLogger extends Slf4jLogger {
    Slf4jOnlyLogger(Logger logger) {
        super(logger);
    }

    static Slf4jOnlyLogger root() {
        return new Slf4jOnlyLogger(LoggerFactory.getLogger("org.apache.ignite"));
    }

    @Override
    public Slf4jLogger getLogger(Object category) {
        String name = category == null ? "org.apache.ignite"
                : category instanceof Class<?> type ? type.getName() : category.toString();
        return new Slf4jOnlyLogger(LoggerFactory.getLogger(name));
    }

    @Override
    public boolean isQuiet() {
        return false;
    }
}
