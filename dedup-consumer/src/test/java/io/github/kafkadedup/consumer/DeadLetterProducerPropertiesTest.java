package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadLetterProducerPropertiesTest {
  private static final Map<String, Object> CONSUMER = Map.of("bootstrap.servers", "kafka:9092",
      "group.id", "orders", "security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN", "max.poll.records", 10);

  @Test
  void sizedFromTheConsumersLargestFetchPlusHeaderRoom() {
    Map<String, Object> p = Recoverer.deadLetterProducerProperties(CONSUMER, Map.of("client.id", "dlt"));
    assertThat(p).containsEntry("bootstrap.servers", "kafka:9092").containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN").containsEntry("client.id", "dlt").containsEntry("acks", "all")
        .containsEntry("max.request.size", 52_428_800 + 32 * 1024)
        .doesNotContainKeys("group.id", "max.poll.records");
    Map<String, Object> small = Recoverer.deadLetterProducerProperties(Map.of("bootstrap.servers", "k:1",
        "fetch.max.bytes", "1000000", "max.partition.fetch.bytes", 2_000_000), Map.of());
    assertThat(small).containsEntry("max.request.size", 2_000_000 + 32 * 1024)
        .containsEntry("buffer.memory", 32L * 1024 * 1024);
  }

  @Test
  void anExplicitMaxRequestSizeTooSmallIsRefusedNamingBothProperties() {
    assertThatThrownBy(() -> Recoverer.deadLetterProducerProperties(CONSUMER, Map.of("max.request.size", 1048576)))
        .isInstanceOfSatisfying(DedupException.class,
            e -> assertThat(e.kind()).isEqualTo(DedupException.Kind.CONFIGURATION))
        .hasMessageContaining("max.request.size=1048576")
        .hasMessageContaining("fetch.max.bytes / max.partition.fetch.bytes = 52428800")
        .hasMessageContaining("at least 52461568");
  }
}
