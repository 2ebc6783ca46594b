package dev.flowgentic4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import org.example.boundaryfixture.mine.UsesOtherModule;
import org.example.boundaryfixture.mine.UsesOwnInternal;
import org.example.boundaryfixture.mine.UsesOwnNestedInternal;
import org.example.boundaryfixture.mine.UsesVendor;
import org.junit.jupiter.api.Test;

class ModuleBoundariesTest {
    private static final String MINE = "org.example.boundaryfixture.mine";

    @Test
    void the_rule_names_a_dependency_on_another_modules_internal_package() {
        JavaClasses classes = new ClassFileImporter().importClasses(UsesOtherModule.class);

        EvaluationResult result = ModuleBoundaries.rule(MINE).evaluate(classes);

        assertThat(result.hasViolation()).isTrue();
        assertThat(String.join("\n", result.getFailureReport().getDetails()))
                .contains("UsesOtherModule").contains("boundaryfixture.other.internal.OtherHidden");
    }

    @Test
    void the_rule_names_a_dependency_on_a_third_party_internal_package_even_without_an_import() {
        JavaClasses classes = new ClassFileImporter().importClasses(UsesVendor.class);

        EvaluationResult result = ModuleBoundaries.rule(MINE).evaluate(classes);

        assertThat(result.hasViolation()).isTrue();
        assertThat(String.join("\n", result.getFailureReport().getDetails()))
                .contains("UsesVendor").contains("thirdparty.internal.VendorHidden");
    }

    @Test
    void the_rule_allows_the_modules_own_internal_packages_nested_ones_too() {
        JavaClasses classes = new ClassFileImporter().importClasses(UsesOwnInternal.class, UsesOwnNestedInternal.class);

        assertThat(ModuleBoundaries.rule(MINE).evaluate(classes).hasViolation()).isFalse();
    }

    @Test
    void a_check_that_sees_no_class_of_the_module_fails() {
        assertThatThrownBy(() -> ModuleBoundaries.check("org.example.nowhere")).isInstanceOf(AssertionError.class);
    }

    @Test
    void testkit_reaches_no_internal_package() {
        ModuleBoundaries.check("dev.flowgentic4j.testkit");
    }
}
