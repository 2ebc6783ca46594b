package org.example.boundaryfixture.mine;

import org.example.boundaryfixture.other.internal.OtherHidden;

/** Fixture: reaches another module's internal package. */
public final class UsesOtherModule {
    public int read() {
        return OtherHidden.value();
    }
}
