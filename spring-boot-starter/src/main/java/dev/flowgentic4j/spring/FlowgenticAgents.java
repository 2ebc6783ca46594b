package dev.flowgentic4j.spring;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.ReactAgentConfig;
import dev.flowgentic4j.tools.AgentTools;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.ChatModel;
import dev.flowgentic4j.workflows.NoArgServiceTask;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceTask;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.service.tool.DefaultToolExecutor;
import dev.langchain4j.service.tool.ToolExecutor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Agents over the application's services: every service bean whose type has langchain4j
 * {@code @Tool} methods offers them as AGENT_TOOL_AS_SERVICE tools (each call reaches the live
 * instance behind the service's handle), and {@link #reactAgent} builds the ReAct graph on the
 * application's {@link ChatModel} bean. Set {@code flowgentic4j.services.NAME.tools=false} to keep a
 * service's methods from the agents.
 *
 * <p>Beans backed by a service are tools too. A <em>tool bean</em> is a singleton bean of the
 * application (not an infrastructure bean, not a service declaration or handle) whose class (the
 * user class, behind a CGLIB proxy) has at least one public non-static langchain4j {@code @Tool}
 * method and declares, in itself or a superclass, an instance field whose type is
 * {@code ServiceFuture} (or a subtype). Each of its {@code @Tool} methods is a tool (specification as
 * langchain4j derives it) invoked on that bean, recorded as AGENT_TOOL_AS_FUNCTION by the agent's tool
 * path. A bean with {@code @Tool} methods but no {@code ServiceFuture} field is not collected; a tool
 * bean still being created when the tools are first collected (one that builds its agent in its own
 * constructor) is skipped with a warning.
 *
 * <pre>{@code
 * CompiledGraph<AgentExecutor.State> agent = Graphs.compile(agents.reactAgent(ReactAgentConfig.ofDefaults()));
 * }</pre>
 */
public final class FlowgenticAgents {
    private static final Logger log = LoggerFactory.getLogger(FlowgenticAgents.class);
    private final ExecutionWrappers wrappers;
    private final FlowgenticServices services;
    private final FlowgenticProperties properties;
    private final ObjectProvider<ChatModel> chatModel;
    private final ConfigurableListableBeanFactory beans;
    private volatile Map<ToolSpecification, ToolExecutor> tools;

    FlowgenticAgents(ExecutionWrappers wrappers, FlowgenticServices services, FlowgenticProperties properties,
            ObjectProvider<ChatModel> chatModel, ConfigurableListableBeanFactory beans) {
        this.beans = beans;
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
     * The tools of every service whose type has {@code @Tool} methods, in bean order, then those of
     * every tool bean (see the class comment), in bean order.
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
        for (String name : beans.getBeanDefinitionNames()) {
            Map<ToolSpecification, ToolExecutor> beanTools = beanTools(name);
            if (!beanTools.isEmpty()) {
                maps.add(beanTools);
            }
        }
        return AgentTools.merge(maps.toArray(Map[]::new));
    }

    /** The tools of bean {@code name} if it is a tool bean, else none; creates the bean only if it is one. */
    private Map<ToolSpecification, ToolExecutor> beanTools(String name) {
        BeanDefinition definition = beans.getMergedBeanDefinition(name);
        if (!definition.isSingleton() || definition.isAbstract()
                || definition.getRole() == BeanDefinition.ROLE_INFRASTRUCTURE) {
            return Map.of();
        }
        Class<?> type = beans.getType(name, false);
        if (type == null) {
            return Map.of();
        }
        Class<?> userClass = ClassUtils.getUserClass(type);
        List<Method> toolMethods = toolMethodsOfBean(userClass);
        if (toolMethods.isEmpty()) {
            return Map.of();
        }
        if (beans.isCurrentlyInCreation(name)) {
            log.warn("bean '{}' has @Tool methods backed by a service but is still being created while the agent "
                    + "tools are collected: its tools are left out (build the agent outside its constructor)", name);
            return Map.of();
        }
        Object bean = beans.getBean(name);
        Map<ToolSpecification, ToolExecutor> tools = new LinkedHashMap<>();
        for (Method m : toolMethods) {
            tools.put(ToolSpecifications.toolSpecificationFrom(m), new DefaultToolExecutor(bean, m));
        }
        return tools;
    }

    /**
     * The public non-static {@code @Tool} methods of {@code type} if it is a tool bean's class (it declares,
     * itself or a superclass, an instance field of a {@code ServiceFuture} type); empty otherwise.
     */
    static List<Method> toolMethodsOfBean(Class<?> type) {
        if (ServiceDefinition.class.isAssignableFrom(type) || ServiceTask.class.isAssignableFrom(type)
                || NoArgServiceTask.class.isAssignableFrom(type) || ServiceFuture.class.isAssignableFrom(type)
                || !holdsServiceFuture(type)) {
            return List.of();
        }
        List<Method> methods = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.isAnnotationPresent(Tool.class) && !Modifier.isStatic(m.getModifiers())) {
                methods.add(m);
            }
        }
        return methods;
    }

    private static boolean holdsServiceFuture(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && ServiceFuture.class.isAssignableFrom(f.getType())) {
                    return true;
                }
            }
        }
        return false;
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
