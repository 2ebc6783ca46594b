package dev.flowgentic4j.spring;

import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.core.ResolvableType;

/**
 * For every {@code ServiceDefinition} bean, registers a {@code ServiceFuture<S>} bean (named after the
 * definition bean plus {@code Future}, qualified with the definition bean's name), so a service's
 * handle is injected by type ({@code ServiceFuture<FaqStore>}) or by name
 * ({@code @Qualifier("faq") ServiceFuture<FaqStore>}). The definition bean itself is created only when
 * the handle is, in the usual bean order, so it may depend on any other bean.
 */
final class ServiceFutureRegistrar implements BeanDefinitionRegistryPostProcessor {
    static final String SUFFIX = "Future";

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
        if (!(registry instanceof ConfigurableListableBeanFactory beanFactory)) {
            return;
        }
        for (String name : beanFactory.getBeanNamesForType(ServiceDefinition.class, true, false)) {
            ResolvableType serviceType = serviceType(beanFactory, name);
            RootBeanDefinition future = new RootBeanDefinition(ServiceFuture.class);
            future.setTargetType(ResolvableType.forClassWithGenerics(ServiceFuture.class, serviceType));
            future.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
            future.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
            Class<?> type = serviceType.resolve(Object.class);
            future.setInstanceSupplier(() -> beanFactory.getBean(FlowgenticServices.class)
                    .futureOfBean(name, beanFactory.getBean(name, ServiceDefinition.class), type));
            registry.registerBeanDefinition(name + SUFFIX, future);
        }
    }

    private static ResolvableType serviceType(ConfigurableListableBeanFactory beanFactory, String name) {
        try {
            BeanDefinition bd = beanFactory.getMergedBeanDefinition(name);
            ResolvableType type = bd.getResolvableType().as(ServiceDefinition.class);
            ResolvableType s = type.getGeneric(1);
            if (s.resolve() != null) {
                return s;
            }
        } catch (BeansException | IllegalStateException e) {
            // the service type is then unknown: the handle is a ServiceFuture<Object>
        }
        return ResolvableType.forClass(Object.class);
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) throws BeansException {
    }
}
