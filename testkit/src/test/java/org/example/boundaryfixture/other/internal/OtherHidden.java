package org.example.boundaryfixture.other.internal;

/** Fixture: a class in another module's internal package. */
public final class OtherHidden {
    public static int value() {
        return 1;
    }
}
