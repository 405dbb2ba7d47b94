package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.outbox.internal.Backoff;
import io.github.kafkadedup.consumer.internal.TransientErrors;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransientErrorsTest {
  @Test
  void classifiesBySqlState() {
    assertThat(TransientErrors.isTransient(new SQLException("x", "40001"))).as("serialization").isTrue();
    assertThat(TransientErrors.isTransient(new SQLException("x", "40P01"))).as("deadlock").isTrue();
    assertThat(TransientErrors.isTransient(new SQLException("x", "57P01"))).as("terminated").isTrue();
    assertThat(TransientErrors.isTransient(new SQLException("x", "08006"))).as("connection").isTrue();
    assertThat(TransientErrors.isTransient(new SQLException("x", "23505"))).as("unique violation").isFalse();
    assertThat(TransientErrors.isTransient(new SQLException("x", "42P01"))).as("missing table").isFalse();
    assertThat(TransientErrors.isTransient(new IllegalStateException("handler"))).isFalse();
  }

  @Test
  void looksThroughWrappers() {
    assertThat(TransientErrors.isTransient(new RuntimeException(new SQLException("x", "40001")))).isTrue();
  }

  @Test
  void backoffGrowsAndIsCapped() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));
    for (int i = 0; i < 100; i++) {
      assertThat(b.delayMillis(1)).isBetween(50L, 100L);
      assertThat(b.delayMillis(3)).isBetween(200L, 400L);
      assertThat(b.delayMillis(20)).isBetween(500L, 1000L);
    }
  }
}
