package dev.flowgentic4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgentic4j.patterns.RedisCache;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UnreachableTest {

    @Test
    void a_failure_that_is_not_an_absent_server_is_reported_with_its_causes_and_status_1() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = Unreachable.report("Demo", new IllegalStateException("bad state", new ArithmeticException("zero")),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(Unreachable.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Demo failed: java.lang.IllegalStateException: bad state",
                "caused by: java.lang.ArithmeticException: zero");
    }

    @Test
    void a_server_named_anywhere_in_the_cause_chain_decides_the_paragraph() {
        Throwable redis = new RuntimeException("service 'redis_cache#1' failed",
                new RedisCache.RedisUnavailableException("Redis at redis://127.0.0.1:1 is unreachable: refused.", null));
        Throwable chat = new RuntimeException("node failed", new RuntimeException(new ConnectException("refused")));

        assertThat(Unreachable.explain(redis)).hasValueSatisfying(p -> assertThat(p)
                .startsWith("Redis at redis://127.0.0.1:1 is unreachable: refused. Configure Redis"));
        assertThat(Unreachable.explain(chat)).hasValueSatisfying(p -> assertThat(p)
                .contains("chat model's endpoint is unreachable", "OPENAI_BASE_URL"));
        assertThat(Unreachable.explain(new IllegalStateException("no server involved"))).isEmpty();
    }
}
