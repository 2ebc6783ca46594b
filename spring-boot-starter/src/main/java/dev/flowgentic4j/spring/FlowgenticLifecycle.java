package dev.flowgentic4j.spring;

import dev.flowgentic4j.integration.LangGraphIntegration;
import dev.flowgentic4j.workflows.ServiceFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the services with the context and closes the integration at shutdown, in the phase
 * {@link #PHASE}: it starts before the web server and stops after it, that is after Boot's graceful
 * shutdown let the requests in flight finish ({@code DEFAULT_PHASE - 1024}) and the server stopped
 * ({@code DEFAULT_PHASE - 2048}), and before the context destroys its beans (a {@code DataSource} a
 * service uses is still there when the service stops).
 */
public final class FlowgenticLifecycle implements SmartLifecycle {
    /** Below the web server's start/stop phase ({@code DEFAULT_PHASE - 2048}): stopped after it. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Logger log = LoggerFactory.getLogger(FlowgenticLifecycle.class);

    private final LangGraphIntegration integration;
    private final FlowgenticServices services;
    private final FlowgenticProperties properties;
    private final ListableBeanFactory beans;
    private volatile boolean running;

    FlowgenticLifecycle(LangGraphIntegration integration, FlowgenticServices services,
            FlowgenticProperties properties, ListableBeanFactory beans) {
        this.integration = integration;
        this.services = services;
        this.properties = properties;
        this.beans = beans;
    }

    @Override
    public void start() {
        beans.getBeansOfType(ServiceFuture.class); // every service bean registered, lazy-initialization or not
        services.startEager();
        running = true;
        services.awaitRequired(properties.getStartupTimeout());
    }

    @Override
    public void stop() {
        running = false;
        services.close();
        try {
            integration.close();
        } catch (RuntimeException e) {
            log.error("stopping the services: {}", e.getMessage(), e);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
