package io.github.kafkadedup.spring;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The Spring starter reaches the engine through its API ({@code io.github.kafkadedup.consumer}) and its SPI
 * ({@code io.github.kafkadedup.consumer.spi}) only, never through {@code consumer.internal} or
 * {@code outbox.internal}: the engine can change its implementation without breaking the starter.
 */
class ModuleBoundaryTest {
  private static final JavaClasses STARTER = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.github.kafkadedup.spring");

  @Test
  void theStarterDoesNotUseTheEnginesInternals() {
    noClasses().that().resideInAPackage("io.github.kafkadedup.spring..")
        .should().dependOnClassesThat().resideInAPackage("io.github.kafkadedup.consumer.internal..")
        .because("Spring reaches the engine through io.github.kafkadedup.consumer.spi")
        .check(STARTER);
  }

  @Test
  void theStarterDoesNotUseTheOutboxInternals() {
    noClasses().that().resideInAPackage("io.github.kafkadedup.spring..")
        .should().dependOnClassesThat().resideInAPackage("io.github.kafkadedup.outbox.internal..")
        .because("Spring reaches the outbox through io.github.kafkadedup.outbox and "
            + "io.github.kafkadedup.consumer.spi")
        .check(STARTER);
  }
}
