package io.github.kafkadedup.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.DedupProcessor;
import io.github.kafkadedup.consumer.Recoverer;
import org.junit.jupiter.api.Test;

/** The engine's logger names stay the ones users configure: the API types' names (docs/spring-boot.md). */
class EngineLoggersTest {
  @Test
  void namesAreTheApiTypesNames() {
    assertThat(EngineLoggers.PROCESSOR).isEqualTo(DedupProcessor.class.getName());
    assertThat(EngineLoggers.CONSUMER).isEqualTo(DedupConsumer.class.getName());
    assertThat(EngineLoggers.RECOVERER).isEqualTo(Recoverer.class.getName());
  }
}
