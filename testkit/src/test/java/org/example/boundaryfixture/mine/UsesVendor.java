package org.example.boundaryfixture.mine;

/** Fixture: reaches a third-party internal package (fully qualified, no import). */
public final class UsesVendor {
    public int read() {
        return org.example.thirdparty.internal.VendorHidden.value();
    }
}
