package dev.flowgentic4j.spring;

import dev.flowgentic4j.integration.ExecutionWrappers;
import dev.flowgentic4j.integration.IntegrationConfig;
import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.workflows.BackendProvider;
import dev.flowgentic4j.workflows.EngineConfig;
import dev.flowgentic4j.workflows.LocalBackendConfig;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.telemetry.TelemetryConfig;
import dev.langchain4j.model.chat.ChatModel;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of flowgentic4j: one {@link LangGraphIntegration} per context configured from
 * the {@code flowgentic4j.*} properties, its {@link ExecutionWrappers}, the services declared as
 * {@code ServiceDefinition} beans ({@link FlowgenticServices}, each with an injectable
 * {@code ServiceFuture}), the {@link FlowgenticLifecycle} that starts them and closes the integration
 * after the web server's graceful shutdown, and {@link FlowgenticAgents}.
 */
@AutoConfiguration
@EnableConfigurationProperties(FlowgenticProperties.class)
public class FlowgenticAutoConfiguration {

    @Bean
    static ServiceFutureRegistrar flowgentic4jServiceFutureRegistrar() {
        return new ServiceFutureRegistrar();
    }

    /** The integration's settings from the properties; declare an {@code IntegrationConfig} bean to replace them. */
    @Bean
    @ConditionalOnMissingBean
    IntegrationConfig flowgentic4jIntegrationConfig(FlowgenticProperties properties) {
        EngineConfig.Builder engine = EngineConfig.builder()
                .stopTimeout(properties.getStopTimeout())
                .serviceRetry(retry(properties.getServiceRetry(), "flowgentic4j.service-retry"))
                .taskRetry(retry(properties.getTaskRetry(), "flowgentic4j.task-retry"))
                .telemetry(TelemetryConfig.builder()
                        .coldStartLogThreshold(properties.getTelemetry().getColdStartLogThreshold()).build());
        if (properties.getBackend().equals("local")) {
            FlowgenticProperties.LocalBackend local = properties.getLocalBackend();
            LocalBackendConfig.Builder b = LocalBackendConfig.builder().virtualThreads(local.isVirtualThreads());
            if (local.getMaxThreads() != null) {
                b.maxThreads(local.getMaxThreads());
            }
            try {
                engine.localBackend(b.queueCapacity(local.getQueueCapacity()).build());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid settings under flowgentic4j.local-backend: "
                        + e.getMessage(), e);
            }
        } else {
            engine.backend(BackendProvider.byName(properties.getBackend()));
        }
        return IntegrationConfig.builder().engine(engine.build())
                .serviceReadyTimeout(properties.getServiceReadyTimeout()).build();
    }

    private static RetryConfig retry(FlowgenticProperties.Retry r, String prefix) {
        if (r.isEmpty()) {
            return RetryConfig.ofDefaults();
        }
        try {
            RetryConfig.Builder b = RetryConfig.builder();
            if (r.getMaxAttempts() != null) {
                b.maxAttempts(r.getMaxAttempts());
            }
            if (r.getBaseDelay() != null) {
                b.baseDelay(r.getBaseDelay());
            }
            if (r.getMaxDelay() != null) {
                b.maxDelay(r.getMaxDelay());
            }
            if (r.getAttemptTimeout() != null) {
                b.attemptTimeout(r.getAttemptTimeout());
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid settings under " + prefix + ": " + e.getMessage(), e);
        }
    }

    /**
     * Closed by {@link FlowgenticLifecycle} in its phase; {@code close()} again at bean destruction is a
     * no-op then, and stops the services if the context failed before its lifecycle started.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    LangGraphIntegration flowgentic4jIntegration(IntegrationConfig config) {
        return LangGraphIntegration.create(config);
    }

    @Bean
    @ConditionalOnMissingBean
    ExecutionWrappers flowgentic4jExecutionWrappers(LangGraphIntegration integration) {
        return integration.executionWrappers();
    }

    @Bean
    FlowgenticServices flowgentic4jServices(LangGraphIntegration integration, ExecutionWrappers wrappers,
            FlowgenticProperties properties, ApplicationEventPublisher publisher) {
        return new FlowgenticServices(wrappers, integration.telemetry(), properties, publisher);
    }

    @Bean
    FlowgenticLifecycle flowgentic4jLifecycle(LangGraphIntegration integration, FlowgenticServices services,
            FlowgenticProperties properties, ListableBeanFactory beans) {
        return new FlowgenticLifecycle(integration, services, properties, beans);
    }

    /** Follows Boot's own readiness (ACCEPTING_TRAFFIC once started, REFUSING_TRAFFIC at shutdown). */
    @Bean
    ApplicationListener<AvailabilityChangeEvent<?>> flowgentic4jReadinessListener(FlowgenticServices services) {
        return event -> {
            if (event.getSource() != services && event.getState() instanceof ReadinessState state) {
                services.bootReadinessChanged(state);
            }
        };
    }

    @Bean
    @ConditionalOnMissingBean
    FlowgenticAgents flowgentic4jAgents(ExecutionWrappers wrappers, FlowgenticServices services,
            FlowgenticProperties properties, ObjectProvider<ChatModel> chatModel,
            ConfigurableListableBeanFactory beans) {
        return new FlowgenticAgents(wrappers, services, properties, chatModel, beans);
    }
}
