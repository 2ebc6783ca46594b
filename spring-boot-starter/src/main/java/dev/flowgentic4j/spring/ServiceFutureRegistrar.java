package dev.flowgentic4j.spring;

import dev.flowgentic4j.workflows.NoArgServiceTask;
import dev.flowgentic4j.workflows.ServiceDefinition;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceTask;
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
 * For every bean that declares a service, registers a {@code ServiceFuture<S>} bean (named after the
 * declaring bean plus {@code Future}, qualified with the declaring bean's name), so a service's
 * handle is injected by type ({@code ServiceFuture<FaqStore>}) or by name
 * ({@code @Qualifier("faq") ServiceFuture<FaqStore>}). A service is declared by a
 * {@code ServiceDefinition} bean, a {@code NoArgServiceTask} bean, or a {@code ServiceTask} bean whose
 * argument type is {@code Void} (started with {@code start(null)}); a {@code ServiceTask} bean taking
 * any other argument, or one whose argument type cannot be told, is left to the application, which
 * starts its instances with their arguments. The declaring bean itself is created only when the handle
 * is, in the usual bean order, so it may depend on any other bean.
 */
final class ServiceFutureRegistrar implements BeanDefinitionRegistryPostProcessor {
    static final String SUFFIX = "Future";

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
        if (!(registry instanceof ConfigurableListableBeanFactory beanFactory)) {
            return;
        }
        for (String name : beanFactory.getBeanNamesForType(ServiceDefinition.class, true, false)) {
            register(registry, beanFactory, name, serviceType(beanFactory, name, ServiceDefinition.class, 1),
                    (services, type) -> services.futureOfBean(name,
                            beanFactory.getBean(name, ServiceDefinition.class), type));
        }
        for (String name : beanFactory.getBeanNamesForType(NoArgServiceTask.class, true, false)) {
            register(registry, beanFactory, name, serviceType(beanFactory, name, NoArgServiceTask.class, 0),
                    (services, type) -> services.futureOfTaskBean(name,
                            FlowgenticServices.asTask(beanFactory.getBean(name, NoArgServiceTask.class)), type));
        }
        for (String name : beanFactory.getBeanNamesForType(ServiceTask.class, true, false)) {
            if (!takesNoArgument(beanFactory, name)) {
                continue; // the application starts it with its argument
            }
            register(registry, beanFactory, name, serviceType(beanFactory, name, ServiceTask.class, 1),
                    (services, type) -> services.futureOfTaskBean(name,
                            beanFactory.getBean(name, ServiceTask.class), type));
        }
    }

    private interface FutureFactory {
        ServiceFuture<?> create(FlowgenticServices services, Class<?> type);
    }

    private static void register(BeanDefinitionRegistry registry, ConfigurableListableBeanFactory beanFactory,
            String name, ResolvableType serviceType, FutureFactory factory) {
        RootBeanDefinition future = new RootBeanDefinition(ServiceFuture.class);
        future.setTargetType(ResolvableType.forClassWithGenerics(ServiceFuture.class, serviceType));
        future.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
        future.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
        Class<?> type = serviceType.resolve(Object.class);
        future.setInstanceSupplier(() -> factory.create(beanFactory.getBean(FlowgenticServices.class), type));
        registry.registerBeanDefinition(name + SUFFIX, future);
    }

    /** Whether the {@code ServiceTask} bean {@code name} declares {@code Void} as its argument type. */
    private static boolean takesNoArgument(ConfigurableListableBeanFactory beanFactory, String name) {
        try {
            ResolvableType a = beanFactory.getMergedBeanDefinition(name).getResolvableType()
                    .as(ServiceTask.class).getGeneric(0);
            return a.resolve() == Void.class;
        } catch (BeansException | IllegalStateException e) {
            return false;
        }
    }

    private static ResolvableType serviceType(ConfigurableListableBeanFactory beanFactory, String name,
            Class<?> declaring, int index) {
        try {
            BeanDefinition bd = beanFactory.getMergedBeanDefinition(name);
            ResolvableType type = bd.getResolvableType().as(declaring);
            ResolvableType s = type.getGeneric(index);
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
