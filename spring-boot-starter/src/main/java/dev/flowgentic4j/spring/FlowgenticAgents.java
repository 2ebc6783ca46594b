package dev.flowgentic4j.spring;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.ReactAgentConfig;
import dev.flowgentic4j.tools.AgentTools;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.tool.ToolExecutor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Agents over the application's services: every service bean whose type has langchain4j
 * {@code @Tool} methods offers them as AGENT_TOOL_AS_SERVICE tools (each call reaches the live
 * instance behind the service's handle), and {@link #reactAgent} builds the ReAct graph on the
 * application's {@link ChatModel} bean. Set {@code flowgentic4j.services.NAME.tools=false} to keep a
 * service's methods from the agents.
 *
 * <pre>{@code
 * CompiledGraph<AgentExecutor.State> agent = Graphs.compile(agents.reactAgent(ReactAgentConfig.ofDefaults()));
 * }</pre>
 */
public final class FlowgenticAgents {
    private final ExecutionWrappers wrappers;
    private final FlowgenticServices services;
    private final FlowgenticProperties properties;
    private final ObjectProvider<ChatModel> chatModel;
    private volatile Map<ToolSpecification, ToolExecutor> tools;

    FlowgenticAgents(ExecutionWrappers wrappers, FlowgenticServices services, FlowgenticProperties properties,
            ObjectProvider<ChatModel> chatModel) {
        this.wrappers = wrappers;
        this.services = services;
        this.properties = properties;
        this.chatModel = chatModel;
    }

    /** The application's {@link ChatModel} bean, if it has one. */
    public Optional<ChatModel> chatModel() {
        return Optional.ofNullable(chatModel.getIfAvailable());
    }

    /**
     * The tools of every service whose type has {@code @Tool} methods, in bean order.
     *
     * @throws IllegalArgumentException if two tools share a name
     */
    public Map<ToolSpecification, ToolExecutor> serviceTools() {
        Map<ToolSpecification, ToolExecutor> t = tools;
        if (t == null) {
            synchronized (this) {
                if (tools == null) {
                    tools = collect();
                }
                t = tools;
            }
        }
        return t;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Map<ToolSpecification, ToolExecutor> collect() {
        List<Map<ToolSpecification, ToolExecutor>> maps = new ArrayList<>();
        for (ManagedServiceFuture<?> service : services.all()) {
            FlowgenticProperties.ServiceProperties p = properties.getServices().get(service.name());
            if ((p == null || p.isTools()) && hasTools(service.type())) {
                maps.add(wrappers.agentToolAsService((ManagedServiceFuture) service, (Class) service.type()));
            }
        }
        return AgentTools.merge(maps.toArray(Map[]::new));
    }

    static boolean hasTools(Class<?> type) {
        if (type == null || type == Object.class) {
            return false;
        }
        for (Method m : type.getMethods()) {
            if (m.isAnnotationPresent(Tool.class)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The ReAct agent on the application's {@link ChatModel} bean offering {@link #serviceTools()}.
     *
     * @throws IllegalStateException if the application has no {@code ChatModel} bean
     */
    public org.bsc.langgraph4j.StateGraph<org.bsc.langgraph4j.agentexecutor.AgentExecutor.State> reactAgent(
            ReactAgentConfig config) {
        ChatModel model = chatModel().orElseThrow(() -> new IllegalStateException(
                "no ChatModel bean in the application context: declare one (e.g. an OpenAiChatModel) to run agents"));
        return wrappers.reactAgent(model, serviceTools(), config);
    }
}
