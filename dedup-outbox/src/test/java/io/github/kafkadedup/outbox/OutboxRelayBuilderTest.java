package io.github.kafkadedup.outbox;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kafkadedup.producer.IdempotentProducerConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Each invalid relay setting is refused where it is set, with a message naming it and the value. */
class OutboxRelayBuilderTest {
  private final OutboxRelay.Builder builder = OutboxRelay.builder(new PGSimpleDataSource(),
      IdempotentProducerConfig.builder().bootstrapServers("localhost:9092").build());

  @Test
  void maxLanes() {
    assertThatThrownBy(() -> builder.maxLanes(0)).hasMessage("maxLanes must be between 1 and 64, but was 0");
    assertThatThrownBy(() -> builder.maxLanes(65)).hasMessage("maxLanes must be between 1 and 64, but was 65");
  }

  @Test
  void batchSize() {
    assertThatThrownBy(() -> builder.batchSize(0)).hasMessage("batchSize must be between 1 and 100000, but was 0");
  }

  @Test
  void durations() {
    assertThatThrownBy(() -> builder.pollInterval(Duration.ofMillis(1)))
        .hasMessage("pollInterval must be between PT0.01S and PT10M, but was PT0.001S");
    assertThatThrownBy(() -> builder.rebalanceInterval(Duration.ofHours(1)))
        .hasMessage("rebalanceInterval must be between PT0.01S and PT10M, but was PT1H");
    assertThatThrownBy(() -> builder.maxBackoff(null))
        .hasMessage("maxBackoff must be between PT0.01S and PT10M, but was null");
    assertThatThrownBy(() -> builder.closeTimeout(Duration.ofSeconds(-1)))
        .hasMessage("closeTimeout must be between PT0S and PT10M, but was PT-1S");
  }

  @Test
  void name() {
    assertThatThrownBy(() -> builder.name(" ")).hasMessage("name must not be blank, but was ' '");
  }

  @Test
  void startTwiceIsRefused() {
    OutboxRelay relay = builder.build();
    relay.close();
    assertThatThrownBy(relay::start).isInstanceOf(IllegalStateException.class)
        .hasMessage("[outbox-relay] relay already closed");
  }
}
