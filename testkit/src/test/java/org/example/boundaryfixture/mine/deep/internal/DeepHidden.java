package org.example.boundaryfixture.mine.deep.internal;

/** Fixture: a class in a nested internal package of the checked module. */
public final class DeepHidden {
    public static int value() {
        return 4;
    }
}
