package dev.flowgentic4j.spring;

import dev.flowgentic4j.testkit.ModuleBoundaries;
import org.junit.jupiter.api.Test;

/** This module reaches other modules only through their API or SPI, and no third-party internal package. */
class ModuleBoundaryTest {

    @Test
    void reaches_no_other_modules_internal_package_and_no_third_party_internal_package() {
        ModuleBoundaries.check("dev.flowgentic4j.spring");
    }
}
