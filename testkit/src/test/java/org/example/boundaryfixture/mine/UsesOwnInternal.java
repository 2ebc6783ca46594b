package org.example.boundaryfixture.mine;

import org.example.boundaryfixture.mine.internal.OwnHidden;

/** Fixture: reaches only its own module's internal package, which is allowed. */
public final class UsesOwnInternal {
    public int read() {
        return OwnHidden.value();
    }
}
