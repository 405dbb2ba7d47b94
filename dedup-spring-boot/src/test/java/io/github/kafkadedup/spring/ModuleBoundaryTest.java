package io.github.kafkadedup.spring;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Spring starter reaches the engine through its API ({@code io.github.kafkadedup.consumer}) and a named
 * set of the engine's own classes in {@code consumer.internal} (the claim plan and its classification, the
 * engine's rules, the outage watch, the dead-letter and outbox writes, the store's read model: the same code
 * the kafka-clients loop runs, so both paths follow one rule), never through the rest of
 * {@code consumer.internal} or through {@code outbox.internal}.
 */
class ModuleBoundaryTest {
  /** The engine classes a second front end (the Spring adapters, the Actuator endpoint) may use. */
  static final Set<String> ENGINE_FOR_FRONT_ENDS = Set.of("Plan", "Classifier", "EngineRules", "DatabaseOutage",
      "DeadLetterStore", "OutboxWrites", "StoreInspection");

  private static final JavaClasses STARTER = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.github.kafkadedup.spring");

  @Test
  void theStarterUsesOnlyTheEnginesFrontEndClasses() {
    noClasses().that().resideInAPackage("io.github.kafkadedup.spring..")
        .should().dependOnClassesThat(insideInternalButNotForFrontEnds())
        .because("Spring reaches the engine through its API and " + ENGINE_FOR_FRONT_ENDS)
        .check(STARTER);
  }

  @Test
  void theStarterDoesNotUseTheOutboxInternals() {
    noClasses().that().resideInAPackage("io.github.kafkadedup.spring..")
        .should().dependOnClassesThat().resideInAPackage("io.github.kafkadedup.outbox.internal..")
        .because("Spring reaches the outbox through io.github.kafkadedup.outbox and the engine's OutboxWrites")
        .check(STARTER);
  }

  private static DescribedPredicate<JavaClass> insideInternalButNotForFrontEnds() {
    return DescribedPredicate.describe("are in io.github.kafkadedup.consumer.internal but not one of "
        + ENGINE_FOR_FRONT_ENDS, c -> c.getPackageName().equals("io.github.kafkadedup.consumer.internal")
            && !ENGINE_FOR_FRONT_ENDS.contains(topLevel(c).getSimpleName()));
  }

  private static JavaClass topLevel(JavaClass c) {
    JavaClass outer = c;
    while (outer.getEnclosingClass().isPresent()) {
      outer = outer.getEnclosingClass().get();
    }
    return outer;
  }
}
