package io.github.kafkadedup.spring;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.internal.Classifier;
import io.github.kafkadedup.consumer.internal.DatabaseOutage;
import io.github.kafkadedup.consumer.internal.DeadLetterStore;
import io.github.kafkadedup.consumer.internal.EngineRules;
import io.github.kafkadedup.consumer.internal.OutboxWrites;
import io.github.kafkadedup.consumer.internal.Plan;
import io.github.kafkadedup.consumer.internal.Heartbeat;
import io.github.kafkadedup.consumer.internal.PoisonIsolation;
import io.github.kafkadedup.consumer.internal.SequenceGate;
import io.github.kafkadedup.consumer.internal.StoreInspection;
import io.github.kafkadedup.outbox.Outbox;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URI;
import java.net.URL;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The Spring starter reaches the engine through its API ({@code io.github.kafkadedup.consumer}) and the few
 * {@code consumer.internal} types that the engine's module-info exports to it (qualified export), never
 * through {@code outbox.internal}: the engine can change the rest of its implementation without breaking the
 * starter. The tests run on the class path, where module-info is not enforced, so the rules are checked here
 * as well as by javac.
 */
class ModuleBoundaryTest {
  private static final JavaClasses STARTER = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.github.kafkadedup.spring");

  @Test
  void theStarterUsesOnlyTheEngineInternalsExportedToIt() {
    noClasses().that().resideInAPackage("io.github.kafkadedup.spring..")
        .should().dependOnClassesThat(resideInAPackage("io.github.kafkadedup.consumer.internal..")
            .and(not(belongToAnyOf(Plan.class, Classifier.class, EngineRules.class, PoisonIsolation.class,
                DatabaseOutage.class, DeadLetterStore.class, OutboxWrites.class, StoreInspection.class,
                SequenceGate.class, Heartbeat.class))))
        .because("Spring runs the engine's claim path (Plan, Classifier, EngineRules, PoisonIsolation), its "
            + "outage, dead-letter and sequencing rules (SequenceGate), its heartbeat and its store inspection; "
            + "the rest of consumer.internal is the engine's own")
        .check(STARTER);
  }

  @Test
  void theStarterDoesNotUseTheOutboxInternals() {
    noClasses().that().resideInAPackage("io.github.kafkadedup.spring..")
        .should().dependOnClassesThat().resideInAPackage("io.github.kafkadedup.outbox.internal..")
        .because("Spring reaches the outbox through io.github.kafkadedup.outbox and the engine's OutboxWrites")
        .check(STARTER);
  }

  @Test
  void theEngineExportsItsInternalsToSpringAndTheCliOnlyAndTheOutboxToTheEngineOnly() throws IOException {
    assertThat(exports(DedupConsumer.class)).isEqualTo(Map.of(
        "io.github.kafkadedup.consumer", Set.of(),
        "io.github.kafkadedup.consumer.internal", Set.of("io.github.kafkadedup.spring", "io.github.kafkadedup.cli")));
    assertThat(exports(Outbox.class)).isEqualTo(Map.of(
        "io.github.kafkadedup.outbox", Set.of(),
        "io.github.kafkadedup.outbox.internal", Set.of("io.github.kafkadedup.consumer")));
  }

  @Test
  void theStarterExportsItsThreePackagesAndNoInternals() throws IOException {
    assertThat(exports(DedupListeners.class).keySet()).containsExactlyInAnyOrder(
        "io.github.kafkadedup.spring", "io.github.kafkadedup.spring.autoconfigure",
        "io.github.kafkadedup.spring.actuate");
  }

  /**
   * The exports of the module-info.class at the root of the jar or folder that holds {@code type}: read as a
   * file, because the tests run on the class path, where no module is named.
   */
  private static Map<String, Set<String>> exports(Class<?> type) throws IOException {
    String self = type.getName().replace('.', '/') + ".class";
    String url = String.valueOf(type.getClassLoader().getResource(self));
    URL descriptor = URI.create(url.substring(0, url.length() - self.length()) + "module-info.class").toURL();
    try (InputStream in = descriptor.openStream()) {
      Map<String, Set<String>> out = new TreeMap<>();
      for (ModuleDescriptor.Exports e : ModuleDescriptor.read(in).exports()) {
        out.put(e.source(), new TreeSet<>(e.targets()));
      }
      return out;
    }
  }
}
