package io.github.kafkadedup.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** With tracing off (the default), the span factories create nothing and change no header. */
class ObservationsTest {
  private final ObservationRegistry off = ObservationRegistry.NOOP;

  @Test
  void offCreatesNoObservation() {
    ConsumerRecord<String, String> record = new ConsumerRecord<>("t", 0, 1, "k", "v");
    assertThat(Observations.on(off)).isFalse();
    assertThat(Observations.on(ObservationRegistry.create())).as("a registry without handlers").isFalse();
    assertThat(Observations.batch(off, "s", 3)).isSameAs(Observation.NOOP);
    assertThat(Observations.claim(off, "s", 3)).isSameAs(Observation.NOOP);
    assertThat(Observations.handle(off, "s", record)).isSameAs(Observation.NOOP);
    assertThat(Observations.handle(off, "s", null)).isSameAs(Observation.NOOP);
  }

  @Test
  void offLeavesTheHeadersAlone() {
    Headers headers = new RecordHeaders().add("traceparent", "00-upstream".getBytes(StandardCharsets.UTF_8));
    Observations.outboxWrite(off, "t", headers);
    assertThat(Observations.relayPublish(off, "relay", "t", headers)).isSameAs(headers);
    assertThat(Observations.relayPublish(off, "relay", "t", null)).isNull();
    assertThat(headers.toArray()).hasSize(1);
    assertThat(new String(headers.lastHeader("traceparent").value(), StandardCharsets.UTF_8))
        .isEqualTo("00-upstream");
  }
}
