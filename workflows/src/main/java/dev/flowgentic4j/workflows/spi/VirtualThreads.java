package dev.flowgentic4j.workflows.spi;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ThreadFactory;

/**
 * The seam to Java 21's virtual threads for a library built for Java 17: {@code Thread.ofVirtual()
 * .factory()} looked up once by reflection. On an older JVM {@link #available()} is false. Part of
 * the SPI, for modules (the local backend, the benchmarks) that offer virtual threads on Java 21+.
 * Thread-safe.
 */
public final class VirtualThreads {
    private static final MethodHandle VIRTUAL_FACTORY = lookup();

    private VirtualThreads() {}

    private static MethodHandle lookup() {
        try {
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            MethodHandle ofVirtual = lookup.findStatic(Thread.class, "ofVirtual",
                    MethodType.methodType(Class.forName("java.lang.Thread$Builder$OfVirtual")));
            MethodHandle factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
            return MethodHandles.filterReturnValue(ofVirtual,
                    factory.asType(MethodType.methodType(ThreadFactory.class, ofVirtual.type().returnType())));
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;          // before Java 21
        }
    }

    /** Whether this JVM has virtual threads. */
    public static boolean available() {
        return VIRTUAL_FACTORY != null;
    }

    /**
     * A factory of unnamed virtual threads.
     *
     * @throws UnsupportedOperationException before Java 21
     */
    public static ThreadFactory factory() {
        if (VIRTUAL_FACTORY == null) {
            throw new UnsupportedOperationException("virtual threads need Java 21 or newer; this is Java "
                    + Runtime.version().feature());
        }
        try {
            return (ThreadFactory) VIRTUAL_FACTORY.invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.ofVirtual().factory() failed", e);
        }
    }
}
