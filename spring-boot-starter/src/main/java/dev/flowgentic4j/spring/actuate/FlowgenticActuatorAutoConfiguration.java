package dev.flowgentic4j.spring.actuate;

import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.spring.FlowgenticAutoConfiguration;
import dev.flowgentic4j.spring.FlowgenticServices;
import dev.flowgentic4j.workflows.telemetry.micrometer.FlowMeterBinder;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What Actuator shows of the services, when it is on the classpath: the {@code flowgentic4j} health
 * contributor (one indicator per service) with the required services in the readiness group, the
 * {@code /actuator/flowgentic4j} endpoint, and the metrics bound to the application's
 * {@code MeterRegistry}.
 */
@AutoConfiguration(after = FlowgenticAutoConfiguration.class)
@ConditionalOnBean(FlowgenticServices.class)
public class FlowgenticActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({HealthContributor.class, HealthEndpointGroupsPostProcessor.class})
    @ConditionalOnProperty(prefix = "flowgentic4j.health", name = "enabled", matchIfMissing = true)
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "flowgentic4jHealthContributor")
        FlowgenticHealthContributor flowgentic4jHealthContributor(FlowgenticServices services) {
            return new FlowgenticHealthContributor(services);
        }

        @Bean
        @ConditionalOnProperty(prefix = "flowgentic4j.health", name = "readiness", matchIfMissing = true)
        HealthEndpointGroupsPostProcessor flowgentic4jReadinessGroup(FlowgenticServices services) {
            return new ReadinessWithServices(services);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Endpoint.class)
    @ConditionalOnAvailableEndpoint(FlowgenticEndpoint.class)
    static class ServicesEndpoint {
        @Bean
        @ConditionalOnMissingBean
        FlowgenticEndpoint flowgentic4jEndpoint(FlowgenticServices services) {
            return new FlowgenticEndpoint(services);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnProperty(prefix = "flowgentic4j.telemetry", name = "metrics", matchIfMissing = true)
    static class Metrics {
        /** Boot binds every MeterBinder bean to the application's registries. */
        @Bean
        FlowMeterBinder flowgentic4jMeterBinder(LangGraphIntegration integration) {
            return new FlowMeterBinder(integration.telemetry().metrics());
        }
    }
}
