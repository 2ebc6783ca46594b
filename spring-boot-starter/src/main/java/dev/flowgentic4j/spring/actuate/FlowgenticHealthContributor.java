package dev.flowgentic4j.spring.actuate;

import dev.flowgentic4j.spring.FlowgenticServices;
import dev.flowgentic4j.workflows.HealthStatus;
import dev.flowgentic4j.workflows.ServiceFuture;
import dev.flowgentic4j.workflows.ServiceState;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code flowgentic4j} health contributor: one indicator per service, named after it. A service
 * is UP when RUNNING (and not UNHEALTHY), DOWN when FAILED or UNHEALTHY, OUT_OF_SERVICE while it starts
 * or after it stopped, UNKNOWN while a lazy service has not started; the details give its state,
 * generation, health and last failure.
 */
public final class FlowgenticHealthContributor implements CompositeHealthContributor {
    /** Failure messages longer than this are cut. */
    static final int MAX_MESSAGE_CHARS = 500;

    private final FlowgenticServices services;

    public FlowgenticHealthContributor(FlowgenticServices services) {
        this.services = services;
    }

    @Override
    public @Nullable HealthContributor getContributor(String name) {
        return services.names().contains(name) ? indicator(name) : null;
    }

    @Override
    public Stream<Entry> stream() {
        return services.names().stream().map(name -> new Entry(name, indicator(name)));
    }

    private HealthIndicator indicator(String name) {
        return () -> health(services.future(name), services.isRequired(name), services.isLazy(name));
    }

    static Health health(ServiceFuture<?> s, boolean required, boolean lazy) {
        ServiceState state = s.state();
        HealthStatus health = s.health();
        Status status = switch (state) {
            case NEW -> Status.UNKNOWN;
            case STARTING, STOPPING, TERMINATED -> Status.OUT_OF_SERVICE;
            case FAILED -> Status.DOWN;
            case RUNNING -> health.state() == HealthStatus.State.UNHEALTHY ? Status.DOWN : Status.UP;
        };
        Health.Builder b = Health.status(status)
                .withDetail("state", state.name())
                .withDetail("id", s.id())
                .withDetail("generation", s.generation())
                .withDetail("health", health.state().name())
                .withDetail("required", required)
                .withDetail("lazy", lazy);
        if (s.isRestarting()) {
            b.withDetail("restarting", true);
        }
        Throwable failure = s.failureCause().orElse(health.lastFailure());
        if (failure != null) {
            b.withDetail("lastFailure", describe(failure));
        }
        health.failureAt().ifPresent(at -> b.withDetail("lastFailureAt", at.toString()));
        return b.build();
    }

    static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = failure == root ? String.valueOf(failure) : failure + " (cause: " + root + ")";
        return text.length() <= MAX_MESSAGE_CHARS ? text : text.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
}
