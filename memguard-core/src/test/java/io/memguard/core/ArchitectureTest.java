package io.memguard.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The rules core's design stands on, checked on the compiled main classes. */
class ArchitectureTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.memguard.core");

  @Test
  void mainCode_neverCallsTheGarbageCollector() {
    noClasses()
        .should()
        .callMethod(System.class, "gc")
        .orShould()
        .callMethod(Runtime.class, "gc")
        .because("memory is released by scopes, not by hoping")
        .check(CORE);
  }

  @Test
  void core_dependsOnlyOnTheJdkSlf4jCaffeineAndJSpecify_flightRecorderIncluded() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "io.memguard.core..",
            "java..",
            "javax.management..",
            "com.sun.management..",
            "jdk.jfr..",
            "org.slf4j..",
            "com.github.benmanes.caffeine..",
            "org.jspecify.annotations..")
        .check(CORE);
  }
}
