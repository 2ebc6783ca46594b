package dev.flowgentic4j.ignite.internal;

import java.lang.reflect.Modifier;

/** The check that a class can be built on another node: named, public, top-level or static nested. */
public final class NamedClasses {
    private NamedClasses() {}

    /**
     * @param what how to name the class in the message ("service implementation", "function")
     * @param implementing the interface to suggest implementing
     * @throws IllegalArgumentException if {@code type} is a lambda, anonymous, local or inner, or not public
     */
    public static void requireBuildableElsewhere(Class<?> type, String what, Class<?> implementing) {
        String name = type.getName();
        if (type.isSynthetic() || name.contains("$$Lambda")) {
            throw new IllegalArgumentException(what + " " + name + " is a lambda: a lambda cannot be deployed to "
                    + "another JVM; write a named class implementing " + implementing.getName()
                    + " and put it on every node's classpath");
        }
        if (type.isAnonymousClass() || type.isLocalClass()
                || type.isMemberClass() && !Modifier.isStatic(type.getModifiers())) {
            throw new IllegalArgumentException(what + " " + name + " is an anonymous, local or inner class: "
                    + "another node cannot build it; make it a top-level or static nested class");
        }
        if (!Modifier.isPublic(type.getModifiers())) {
            throw new IllegalArgumentException(what + " " + name + " is not public: another node cannot build it");
        }
    }
}
