package dev.flowgentic4j.ignite.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ignite.Ignite;
import org.apache.ignite.resources.IgniteInstanceResource;
import org.apache.ignite.services.Service;

/**
 * The Ignite service that hosts one user implementation: it travels to the hosting node as a class
 * name and a start argument, builds the instance there in {@link #init()}, runs calls into it, and
 * closes it in {@link #cancel()}. The user's class needs no Ignite type.
 */
public final class HostedService implements Service, RemoteInvoker {
    private static final long serialVersionUID = 1L;

    private final String implementation;
    private final String argumentType;
    private final Object argument;

    @IgniteInstanceResource
    private transient Ignite ignite;
    private transient volatile Object instance;
    private transient Map<String, Method> methods;

    public HostedService(String implementation, String argumentType, Object argument) {
        this.implementation = implementation;
        this.argumentType = argumentType;
        this.argument = argument;
    }

    /**
     * The constructor the hosting node builds {@code implementation} with: the first public one of
     * {@code (Ignite, A)}, {@code (A)} (or {@code (Ignite)}, {@code ()} without an argument), or null.
     */
    public static Constructor<?> constructorFor(Class<?> implementation, Class<?> argumentType) {
        List<Class<?>[]> shapes = argumentType == Void.class
                ? List.of(new Class<?>[] {Ignite.class}, new Class<?>[0])
                : List.of(new Class<?>[] {Ignite.class, argumentType}, new Class<?>[] {argumentType});
        for (Class<?>[] parameters : shapes) {
            try {
                return implementation.getConstructor(parameters);
            } catch (NoSuchMethodException e) {
                // try the next shape
            }
        }
        return null;
    }

    @Override
    public void init() throws Exception {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> type = Class.forName(implementation, true, loader != null ? loader : HostedService.class.getClassLoader());
        Class<?> argType = argumentType.equals(Void.class.getName()) ? Void.class : Class.forName(argumentType, false,
                type.getClassLoader());
        Constructor<?> constructor = constructorFor(type, argType);
        if (constructor == null) {
            throw new IllegalStateException("service implementation " + implementation + " has no usable constructor");
        }
        Object[] args = switch (constructor.getParameterCount()) {
            case 0 -> new Object[0];
            case 2 -> new Object[] {ignite, argument};
            default -> new Object[] {constructor.getParameterTypes()[0] == Ignite.class ? ignite : argument};
        };
        methods = new ConcurrentHashMap<>();
        try {
            instance = constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Override
    public void cancel() {
        Object live = instance;
        instance = null;
        if (live instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                if (ignite != null) {
                    ignite.log().warning("closing service implementation " + implementation + " failed", e);
                }
            }
        }
    }

    @Override
    public Object invoke(String method, Class<?>[] parameterTypes, Object[] args) throws Exception {
        Object live = instance;
        if (live == null) {
            throw new IllegalStateException("service implementation " + implementation + " is not running here");
        }
        Method target = methods.computeIfAbsent(method + Arrays.toString(parameterTypes), key -> {
            try {
                Method m = live.getClass().getMethod(method, parameterTypes);
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(implementation + " has no method " + key, e);
            }
        });
        try {
            return target.invoke(live, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        }
    }

    @Override
    public String host() {
        return ignite.cluster().localNode().id() + "/" + ProcessHandle.current().pid();
    }
}
