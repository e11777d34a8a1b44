package io.memguard.monitor;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules the monitor's design stands on, checked on the compiled main classes. */
class ArchitectureTest {
  private static final JavaClasses MONITOR =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.memguard.monitor");

  @Test
  void mainCode_neverCallsTheGarbageCollector() {
    noClasses()
        .should()
        .callMethod(System.class, "gc")
        .orShould()
        .callMethod(Runtime.class, "gc")
        .because(
            "an observer must not change what it observes; class histograms are the one documented, "
                + "rate-limited exception and go through the DiagnosticCommand MBean")
        .check(MONITOR);
  }

  @Test
  void monitor_dependsOnlyOnTheJdkCoreSlf4jAndOshi() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "io.memguard.monitor..",
            "io.memguard.core..",
            "java..",
            "javax.management..",
            "com.sun.management..",
            "jdk.jfr..",
            "com.sun.net.httpserver..",
            "org.slf4j..",
            "oshi..",
            "org.jspecify.annotations..")
        .check(MONITOR);
  }

  @Test
  void internal_isNotUsedByCoreOrOtherModules_andDoesNotReachBackIntoTheApiFacades() {
    noClasses()
        .that()
        .resideInAPackage("io.memguard.monitor.internal..")
        .should()
        .dependOnClassesThat()
        .haveSimpleName("MemoryMonitor")
        .check(MONITOR);
  }

  @Test
  void publicSignatures_neverExposeAnInternalType() {
    codeUnits()
        .that()
        .arePublic()
        .and()
        .areDeclaredInClassesThat()
        .arePublic()
        .and()
        .areDeclaredInClassesThat()
        .resideOutsideOfPackage("..internal..")
        .should(notExposeAnInternalType())
        .check(MONITOR);
  }

  @Test
  void valueTypes_neverReachIntoInternal() {
    noClasses()
        .that()
        .haveSimpleNameStartingWith("Alert")
        .and()
        .areRecords()
        .or()
        .haveSimpleName("LeakReport")
        .or()
        .haveSimpleName("LeakSuspect")
        .or()
        .haveSimpleName("MonitorReport")
        .or()
        .haveSimpleName("MemorySnapshot")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("..internal..")
        .because("values are plain; rendering lives beside them, not in .internal")
        .check(MONITOR);
  }

  private static ArchCondition<JavaCodeUnit> notExposeAnInternalType() {
    return new ArchCondition<>("not name an .internal type in its parameters or result") {
      @Override
      public void check(JavaCodeUnit unit, ConditionEvents events) {
        List<JavaClass> types = new ArrayList<>(unit.getRawParameterTypes());
        types.add(unit.getRawReturnType());
        for (JavaClass type : types) {
          if (type.getPackageName().contains(".internal")) {
            events.add(
                SimpleConditionEvent.violated(
                    unit, unit.getFullName() + " exposes the internal type " + type.getName()));
          }
        }
      }
    };
  }
}
