package dev.flowgentic4j.ignite.internal;

import dev.flowgentic4j.ignite.ServiceFailoverException;
import dev.flowgentic4j.ignite.ServiceHostInfo;
import dev.flowgentic4j.workflows.RetryConfig;
import dev.flowgentic4j.workflows.ServiceCallException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.IgniteException;
import org.apache.ignite.cluster.ClusterTopologyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The typed proxy callers get: each call of the service interface goes through Ignite's proxy of the
 * {@link HostedService} to the hosting node. A call whose host leaves the cluster mid-call (Ignite's
 * {@link ClusterTopologyException}, not retried by Ignite) is tried again per the retry policy; the
 * next attempt waits inside Ignite's proxy until the service is redeployed on a survivor. A call that
 * finds the service between hosts (Ignite's proxy then throws a bare {@link IgniteException}: no
 * cause, no subclass) is tried again after the policy's backoff. Both are told apart by Ignite's
 * public exception types, never by a message or an {@code org.apache.ignite.internal} class. What the
 * service method threw comes back as it was thrown. Thread-safe; takes no lock.
 */
public final class ClusterProxy implements InvocationHandler {
    private static final Logger log = LoggerFactory.getLogger(ClusterProxy.class);

    private final String service;
    private final RemoteInvoker remote;
    private final RetryConfig retry;

    private ClusterProxy(String service, RemoteInvoker remote, RetryConfig retry) {
        this.service = service;
        this.remote = remote;
        this.retry = retry;
    }

    /** A proxy of {@code type} whose calls go to the Ignite service {@code service} through {@code remote}. */
    public static <S> S create(Class<S> type, String service, RemoteInvoker remote, RetryConfig retry) {
        ClusterProxy handler = new ClusterProxy(service, remote, retry);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    /**
     * The handler behind a proxy from {@link #create}.
     *
     * @throws IllegalArgumentException if {@code proxy} is not one
     */
    public static ClusterProxy of(Object proxy) {
        Objects.requireNonNull(proxy, "proxy");
        if (Proxy.isProxyClass(proxy.getClass()) && Proxy.getInvocationHandler(proxy) instanceof ClusterProxy handler) {
            return handler;
        }
        throw new IllegalArgumentException(proxy.getClass().getName() + " is not a proxy of an Ignite service");
    }

    /** The Ignite service name. */
    public String service() {
        return service;
    }

    /** Where the service runs now (asks it, with the same failover retries as any call). */
    public ServiceHostInfo host() {
        String host = (String) withRetries(() -> remote.host(), null);
        int slash = host.indexOf('/');
        return new ServiceHostInfo(UUID.fromString(host.substring(0, slash)), Long.parseLong(host.substring(slash + 1)));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "IgniteService[" + service + "]";
            };
        }
        return withRetries(() -> remote.invoke(method.getName(), method.getParameterTypes(), args), method);
    }

    private interface Attempt {
        Object run() throws Exception;
    }

    private Object withRetries(Attempt attempt, Method method) {
        for (int n = 1; ; n++) {
            try {
                return attempt.run();
            } catch (Throwable t) {
                boolean moving = isNotDeployed(t);
                if (!moving && !isTopologyFailure(t)) {
                    throw sneaky(userFailure(t, method));
                }
                if (!retry.shouldRetry(n, t)) {
                    throw new ServiceFailoverException(service, n, t);
                }
                log.info("call to Ignite service {}: {} (attempt {}), trying again", service,
                        moving ? "not deployed at the moment" : "its host left the cluster", n);
                if (moving) {
                    backOff(n, t);
                }
            }
        }
    }

    /**
     * Waits the retry policy's backoff: the service is between hosts (its old host gone, the new
     * one not registered yet), and Ignite's proxy does not wait for that.
     */
    private void backOff(int failedAttempt, Throwable cause) {
        LockSupport.parkNanos(retry.delayAfter(failedAttempt).toNanos());
        if (Thread.currentThread().isInterrupted()) {
            throw new ServiceFailoverException(service, failedAttempt, cause); // the flag stays set
        }
    }

    /**
     * Whether {@code t} says the node that ran (or was to run) the call left the cluster: Ignite's
     * public {@link ClusterTopologyException} (its proxy converts its internal checked variant to it).
     */
    static boolean isTopologyFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ClusterTopologyException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Ignite 2.x's proxy found no node with the service (during a failover, before the redeploy is
     * known): it throws a bare {@link IgniteException}, of that exact class and without a cause, before
     * any remote call. What a service method throws reaches us as thrown or wrapped with its cause, so
     * it is not read as this; a service method that itself throws a bare {@code IgniteException} would
     * be, and is then tried again only as far as the retry policy allows.
     */
    static boolean isNotDeployed(Throwable t) {
        Throwable c = t;
        while (c instanceof IgniteException && c.getCause() != null && c.getCause() != c) {
            c = c.getCause(); // through Ignite's own wrappers only
        }
        return c.getClass() == IgniteException.class && c.getCause() == null;
    }

    /** What the service method threw, unwrapped from Ignite's wrappers. */
    private Throwable userFailure(Throwable t, Method method) {
        Throwable c = t;
        while ((c instanceof IgniteException || c instanceof IgniteCheckedException) && c.getCause() != null
                && c.getCause() != c) {
            c = c.getCause();
        }
        if (c instanceof RuntimeException || c instanceof Error) {
            return c;
        }
        if (method != null) {
            for (Class<?> declared : method.getExceptionTypes()) {
                if (declared.isInstance(c)) {
                    return c;
                }
            }
        }
        return new ServiceCallException(service, c instanceof Exception e ? e : new Exception(c));
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t; // a checked exception the interface method declares
    }
}
