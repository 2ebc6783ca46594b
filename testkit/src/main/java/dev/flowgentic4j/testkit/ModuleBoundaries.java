package dev.flowgentic4j.testkit;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The boundary rule every module checks on its own compiled classes (main and test): a module
 * reaches another module only through its documented API or SPI, never through its
 * {@code internal} package, and reaches no third-party {@code internal} package at all (Ignite's
 * {@code org.apache.ignite.internal}, langchain4j's {@code dev.langchain4j.internal},
 * LangGraph4j's, the JDK's). Its own {@code internal} packages are its own business.
 *
 * <pre>{@code
 * @Test
 * void reaches_no_other_internal_package() {
 *     ModuleBoundaries.check("dev.flowgentic4j.ignite");
 * }
 * }</pre>
 */
public final class ModuleBoundaries {
    private ModuleBoundaries() {}

    /**
     * The rule for the module whose classes live under {@code rootPackage}: none of them depends on
     * a class in an {@code internal} package outside {@code rootPackage} (its own {@code internal}
     * packages, such as {@code rootPackage.internal} or {@code rootPackage.websocket.internal}, are
     * its own business).
     */
    public static ArchRule rule(String rootPackage) {
        return noClasses().that().resideInAPackage(rootPackage + "..")
                .should().dependOnClassesThat(resideInAPackage("..internal..")
                        .and(not(resideInAPackage(rootPackage + ".."))))
                .as("classes of " + rootPackage + " reach no other module's internal package and no third-party"
                        + " internal package")
                .because("modules meet through documented APIs (docs/architecture.md)");
    }

    /**
     * Checks {@link #rule} on the classes this module compiled ({@code target/classes} and
     * {@code target/test-classes} under the working directory, which Surefire sets to the module).
     *
     * @throws AssertionError naming each offending dependency, or if no class of {@code rootPackage}
     *     was found (a rule that sees nothing proves nothing)
     */
    public static void check(String rootPackage) {
        rule(rootPackage).check(moduleClasses());
    }

    /** The classes this module compiled, main and test. */
    public static JavaClasses moduleClasses() {
        List<Path> dirs = new ArrayList<>();
        for (String dir : List.of("target/classes", "target/test-classes")) {
            Path path = Path.of(dir);
            if (Files.isDirectory(path)) {
                dirs.add(path);
            }
        }
        if (dirs.isEmpty()) {
            throw new AssertionError("no target/classes under " + Path.of("").toAbsolutePath()
                    + ": run the check from the module's directory (Surefire's default)");
        }
        return new ClassFileImporter().importPaths(dirs);
    }
}
