package io.github.kafkadedup.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.outbox.OutboxRelay;
import org.junit.jupiter.api.Test;

/** The relay's logger name stays the one users configure: the API type's name. */
class OutboxLoggersTest {
  @Test
  void relayLoggerIsNamedAfterOutboxRelay() {
    assertThat(OutboxLoggers.RELAY).isEqualTo(OutboxRelay.class.getName());
  }
}
