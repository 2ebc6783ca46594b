package dev.flowgentic4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The examples run with one logging configuration: the quickstart's {@code logback.xml}, which they
 * build on. A second one (as the examples once had) makes logback pick one of them at random and
 * warn about the other.
 */
class LoggingClassPathTest {

    @Test
    void the_class_path_holds_exactly_one_logback_xml_the_quickstarts() throws Exception {
        List<URL> configurations = Collections.list(getClass().getClassLoader().getResources("logback.xml"));

        assertThat(configurations).hasSize(1);
        assertThat(configurations.get(0).toString()).contains("quickstart");
    }
}
