package io.memguard.autofeat.internal;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.memguard.autofeat");
  }

  @Test
  void mainCode_neverRequestsGarbageCollection() {
    noClasses()
        .should()
        .callMethod(System.class, "gc")
        .orShould()
        .callMethod(Runtime.class, "gc")
        .check(main);
  }

  @Test
  void internalPackages_areFreeOfCycles() {
    slices().matching("io.memguard.autofeat.internal.(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void expressionsAndMath_dependOnNoOtherEnginePackage() {
    noClasses()
        .that()
        .resideInAnyPackage("..internal.expr..", "..internal.math..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "..internal.feateng..",
            "..internal.select..",
            "..internal.linear..",
            "..internal.batch..")
        .check(main);
  }

  @Test
  void engine_neverDependsOnThePublicApi() {
    noClasses()
        .that()
        .resideInAPackage("io.memguard.autofeat.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.memguard.autofeat")
        .check(main);
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
        .check(main);
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
