package dev.flowgentic4j.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.workflows.FlowEngine;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.service.tool.ToolExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a {@code @Tool} method of a service receives for arguments the model left out. */
class ToolMethodArgumentsTest {
    private static final Duration READY = Duration.ofSeconds(10);

    public static class Greeter {
        @Tool("Greets someone")
        public String greet(@P("who") String name, @P(value = "how often", required = false) Integer times,
                @P(value = "punctuation", defaultValue = "!") String punctuation,
                @P(value = "a suffix") Optional<String> suffix, @P(value = "a level", required = false) int level,
                @P(value = "a limit", defaultValue = "3") int limit) {
            return name + "/" + times + "/" + punctuation + "/" + suffix.orElse("-") + "/" + level + "/" + limit;
        }
    }

    public static class BadDefault {
        @Tool("Broken")
        public int broken(@P(value = "n", defaultValue = "many") int n) {
            return n;
        }
    }

    private final FlowEngine engine = FlowEngine.create();

    @AfterEach
    void tearDown() {
        engine.close();
    }

    private String greet(Map<ToolSpecification, ToolExecutor> tools, String arguments) {
        return tools.values().iterator().next()
                .execute(ToolExecutionRequest.builder().id("1").name("greet").arguments(arguments).build(), null);
    }

    @Test
    void left_out_arguments_are_null_their_default_or_an_empty_optional() {
        ServiceFuture<Greeter> greeter = engine.<Void, Greeter>serviceTask("greeter", ignored -> new Greeter())
                .start(null);
        Map<ToolSpecification, ToolExecutor> tools = AgentTools.serviceObject(greeter, Greeter.class, READY);

        assertThat(greet(tools, "{\"name\":\"ada\",\"level\":2}")).isEqualTo("ada/null/!/-/2/3");
        assertThat(greet(tools, "{\"name\":\"ada\",\"times\":2,\"punctuation\":\"?\",\"suffix\":\"x\",\"level\":1,"
                + "\"limit\":9}")).isEqualTo("ada/2/?/x/1/9");
        assertThat(greet(tools, "{\"name\":\"ada\"}"))      // a primitive cannot be left out
                .startsWith("Error: invalid arguments for tool 'greet': missing required parameter 'level'");
    }

    @Test
    void a_default_value_that_does_not_fit_the_type_is_refused_when_the_tools_are_made() {
        ServiceFuture<BadDefault> bad = engine.<Void, BadDefault>serviceTask("bad", ignored -> new BadDefault())
                .start(null);

        assertThatThrownBy(() -> AgentTools.serviceObject(bad, BadDefault.class, READY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("@P(defaultValue = \"many\") of parameter 'n'");
    }
}
