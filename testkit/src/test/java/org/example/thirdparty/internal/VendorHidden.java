package org.example.thirdparty.internal;

/** Fixture: a class in a third-party library's internal package. */
public final class VendorHidden {
    public static int value() {
        return 2;
    }
}
