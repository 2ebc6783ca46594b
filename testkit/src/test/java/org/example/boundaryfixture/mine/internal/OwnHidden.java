package org.example.boundaryfixture.mine.internal;

/** Fixture: a class in the checked module's own internal package. */
public final class OwnHidden {
    public static int value() {
        return 3;
    }
}
