package dev.flowgentic4j.integration;

import static dev.flowgentic4j.testkit.StubReply.text;
import static dev.flowgentic4j.testkit.StubReply.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgentic4j.testkit.StubReply;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.service.tool.ToolExecutor;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.agentexecutor.AgentExecutor;
import org.bsc.langgraph4j.serializer.StateSerializer;
import org.junit.jupiter.api.Test;

class CopyingStateSerializerTest {
    private final CopyingStateSerializer<AgentExecutor.State> serializer = CopyingStateSerializer.forAgentState();

    private static AgentExecutor.State state(Map<String, Object> data) {
        return new AgentExecutor.State(data);
    }

    @Test
    void a_clone_has_its_own_containers_and_shares_the_immutable_messages() throws Exception {
        AiMessage ask = AiMessage.from(ToolExecutionRequest.builder().id("c1").name("work").arguments("{}").build());
        List<ChatMessage> messages = new ArrayList<>(List.of(UserMessage.from("hi"), ask));
        Map<String, Object> nested = new HashMap<>(Map.of("tags", new ArrayList<>(List.of("a"))));
        AgentExecutor.State original = state(Map.of("messages", messages, "meta", nested, "when",
                Instant.parse("2026-01-01T00:00:00Z"), "count", 3));

        AgentExecutor.State clone = serializer.cloneObject(original);

        assertThat(clone.data()).isEqualTo(original.data());
        assertThat(clone.messages()).isNotSameAs(original.messages());
        assertThat(clone.messages().get(1)).isSameAs(ask);
        @SuppressWarnings("unchecked")
        Map<String, Object> clonedMeta = (Map<String, Object>) clone.data().get("meta");
        @SuppressWarnings("unchecked")
        List<String> clonedTags = (List<String>) clonedMeta.get("tags");
        clonedTags.add("b");                                   // what a node might do to its copy
        clone.messages().add(UserMessage.from("later"));
        assertThat(original.messages()).hasSize(2);
        assertThat(nested.get("tags")).isEqualTo(List.of("a"));
    }

    /** Mutable and unknown to the copier: the state is cloned by the delegate, a real deep copy. */
    static final class Box implements Serializable {
        private static final long serialVersionUID = 1L;
        int value;
    }

    @Test
    void a_state_holding_an_unknown_value_is_cloned_by_the_delegate() throws Exception {
        CopyingStateSerializer<AgentExecutor.State> std = CopyingStateSerializer.of(AgentExecutor.Serializers.STD.object());
        Box box = new Box();
        box.value = 7;
        AgentExecutor.State original = state(Map.of("messages", List.of(UserMessage.from("hi")), "box", box));

        AgentExecutor.State clone = std.cloneObject(original);

        Box copy = (Box) clone.data().get("box");
        assertThat(copy).isNotSameAs(box);
        assertThat(copy.value).isEqualTo(7);
    }

    @Test
    void a_value_the_delegate_cannot_serialize_still_fails_as_with_the_delegate_alone() {
        AgentExecutor.State original = state(Map.of("messages", List.of(UserMessage.from("hi")),
                "lock", new Object()));

        assertThatThrownBy(() -> serializer.cloneObject(original)).isInstanceOf(Exception.class);
        assertThatThrownBy(() -> serializer.delegate().cloneObject(original)).isInstanceOf(Exception.class);
    }

    @Test
    void persisting_is_the_delegates_byte_for_byte() throws Exception {
        StateSerializer<AgentExecutor.State> json = AgentExecutor.Serializers.JSON.object();
        AgentExecutor.State original = state(Map.of("messages", List.of(UserMessage.from("hi"),
                AiMessage.from("hello"), ToolExecutionResultMessage.from("c1", "work", "done"))));

        byte[] bytes = serializer.dataToBytes(original.data());

        assertThat(bytes).isEqualTo(json.dataToBytes(original.data()));
        assertThat(serializer.dataFromBytes(bytes)).isEqualTo(json.dataFromBytes(bytes));
        assertThat(serializer.contentType()).isEqualTo(json.contentType());
    }

    @Test
    void it_is_the_default_of_the_react_agent_and_runs_a_conversation_like_the_json_serializer() {
        assertThat(ReactAgentConfig.ofDefaults().stateSerializer()).isInstanceOf(CopyingStateSerializer.class);
        List<List<ChatMessage>> transcripts = new ArrayList<>();
        try (AgentFixture fixture = new AgentFixture()) {
            Map<ToolSpecification, ToolExecutor> tools = fixture.tools();
            for (StateSerializer<AgentExecutor.State> each : List.of(serializer, AgentExecutor.Serializers.JSON.object())) {
                fixture.stub.enqueue(toolCalls(new StubReply.ToolCall("a", "increment", "{\"who\":\"x\"}")),
                        toolCalls(new StubReply.ToolCall("b", "shout", "{\"text\":\"hi\"}")), text("done"));
                CompiledGraph<AgentExecutor.State> agent = Graphs.compile(fixture.wrappers.reactAgent(fixture.model(),
                        tools, ReactAgentConfig.builder().stateSerializer(each).build()));
                AgentExecutor.State state = agent.invoke(Map.of("messages", UserMessage.from("go"))).orElseThrow();
                assertThat(state.finalResponse()).contains("done");
                transcripts.add(state.messages());
            }
        }
        assertThat(transcripts.get(0)).hasSize(6);
        assertThat(transcripts.get(0).toString().replaceAll("\\d+", "#"))
                .isEqualTo(transcripts.get(1).toString().replaceAll("\\d+", "#"));
    }
}
