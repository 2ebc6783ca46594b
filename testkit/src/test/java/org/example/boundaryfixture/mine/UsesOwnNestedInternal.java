package org.example.boundaryfixture.mine;

import org.example.boundaryfixture.mine.deep.internal.DeepHidden;

/** Fixture: reaches a nested internal package of its own module, which is allowed. */
public final class UsesOwnNestedInternal {
    public int read() {
        return DeepHidden.value();
    }
}
