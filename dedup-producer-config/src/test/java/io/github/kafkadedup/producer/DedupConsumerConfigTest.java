package io.github.kafkadedup.producer;

import static io.github.kafkadedup.producer.IdempotentProducerConfigTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class DedupConsumerConfigTest {
  private static DedupConsumerConfig.Builder builder() {
    return DedupConsumerConfig.builder().bootstrapServers("127.0.0.1:9092").groupId("orders")
        .keyDeserializer(StringDeserializer.class).valueDeserializer(StringDeserializer.class);
  }

  @Test
  void presetCommitsManuallyReadsCommittedAndRebalancesCooperatively() {
    DedupConsumerConfig config = builder().build();

    assertThat(config.toMap()).containsOnly(
        entry("bootstrap.servers", "127.0.0.1:9092"),
        entry("group.id", "orders"),
        entry("key.deserializer", StringDeserializer.class),
        entry("value.deserializer", StringDeserializer.class),
        entry("enable.auto.commit", false),
        entry("isolation.level", "read_committed"),
        entry("auto.offset.reset", "earliest"),
        entry("max.poll.records", 500),
        entry("max.poll.interval.ms", 300_000),
        entry("group.protocol", "classic"),
        entry("partition.assignment.strategy", CooperativeStickyAssignor.class.getName()));
    assertThat(config.groupId()).isEqualTo("orders");
    assertThat(config.groupProtocol()).isEqualTo(GroupProtocol.CLASSIC);
    assertThat(config.groupInstanceId()).isEmpty();
  }

  @Test
  void theConsumerProtocolLeavesAssignmentToTheBroker() {
    DedupConsumerConfig config = builder().groupProtocol(GroupProtocol.CONSUMER).build();

    assertThat(config.toMap()).containsEntry("group.protocol", "consumer")
        .doesNotContainKey("partition.assignment.strategy");
    assertThat(config.groupProtocol()).isEqualTo(GroupProtocol.CONSUMER);
  }

  @Test
  void aGroupProtocolOverrideSelectsTheProtocol() {
    DedupConsumerConfig config = builder().override("group.protocol", "CONSUMER").build();

    assertThat(config.groupProtocol()).isEqualTo(GroupProtocol.CONSUMER);
    assertThat(config.toMap()).doesNotContainKey("partition.assignment.strategy");
  }

  @Test
  void batchSizingAndStaticMembershipAreSettable() {
    DedupConsumerConfig config = builder().maxPollRecords(200).maxPollInterval(Duration.ofMinutes(2))
        .groupInstanceId("orders-pod-0").build();

    assertThat(config.toMap()).contains(entry("max.poll.records", 200), entry("max.poll.interval.ms", 120_000),
        entry("group.instance.id", "orders-pod-0"));
    assertThat(config.groupInstanceId()).contains("orders-pod-0");
    assertThat(config.toBuilder().groupInstanceId("orders-pod-1").build().groupInstanceId()).contains("orders-pod-1");
  }

  @Test
  void autoCommitIsRefused() {
    assertRefused(builder().override("enable.auto.commit", true)::build, "enable.auto.commit", true,
        "dedup consumer (group orders): enable.auto.commit=true commits offsets on a timer, before the database "
            + "transaction commits", "Fix: remove the override; kafka-dedup commits offsets after the database commit.");
    assertRefused(builder().override("enable.auto.commit", "TRUE")::build, "enable.auto.commit", "TRUE",
        "enable.auto.commit=TRUE commits");
  }

  @Test
  void readUncommittedIsRefused() {
    assertRefused(builder().override("isolation.level", "read_uncommitted")::build, "isolation.level",
        "read_uncommitted", "isolation.level=read_uncommitted delivers records of aborted producer transactions",
        "Fix: remove the override or set isolation.level=read_committed.");
  }

  @Test
  void aMissingGroupIdIsRefused() {
    assertRefused(DedupConsumerConfig.builder().bootstrapServers("127.0.0.1:9092")::build, "group.id", null,
        "dedup consumer: group.id is missing and a dedup consumer needs a group",
        "Fix: call groupId(\"orders-service\").");
    assertRefused(builder().override("group.id", " ")::build, "group.id", " ", "group.id= ");
  }

  @Test
  void aMissingBootstrapServersIsRefused() {
    assertRefused(DedupConsumerConfig.builder().groupId("orders")::build, "bootstrap.servers", null,
        "bootstrap.servers is missing and the consumer cannot reach Kafka without it");
  }

  @ParameterizedTest
  @ValueSource(strings = {"session.timeout.ms", "heartbeat.interval.ms", "partition.assignment.strategy"})
  void brokerOwnedSettingsAreRefusedWithTheConsumerProtocol(String property) {
    assertRefused(builder().groupProtocol(GroupProtocol.CONSUMER).override(property, "1000")::build, property,
        "1000", property + "=1000 cannot be set with group.protocol=consumer (KIP-848)",
        "Fix: remove the override, or use GroupProtocol.CLASSIC.");
  }

  @Test
  void theRemoteAssignorIsRefusedWithTheClassicProtocol() {
    assertRefused(builder().override("group.remote.assignor", "uniform")::build, "group.remote.assignor",
        "uniform", "group.remote.assignor=uniform only applies to group.protocol=consumer");
  }

  @Test
  void anUnknownGroupProtocolIsRefused() {
    assertRefused(builder().override("group.protocol", "eager")::build, "group.protocol", "eager",
        "group.protocol=eager is not a group protocol", "Fix: use classic or consumer");
  }

  @Test
  void warnStanceKeepsTheValuesAndLogsOneLinePerProperty() {
    List<String> warnings = new ArrayList<>();
    DedupConsumerConfig config = builder().stance(Stance.WARN).warnings(warnings::add)
        .override("enable.auto.commit", true).override("isolation.level", "read_uncommitted").build();

    assertThat(config.toMap()).contains(entry("enable.auto.commit", true), entry("isolation.level", "read_uncommitted"));
    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(0)).startsWith("dedup consumer (group orders): enable.auto.commit=true commits");
    assertThat(warnings.get(1)).startsWith("dedup consumer (group orders): isolation.level=read_uncommitted");
  }

  @Test
  void aNonPositiveMaxPollRecordsIsRefusedWhereItIsSet() {
    assertRefused(() -> builder().maxPollRecords(0), "max.poll.records", 0,
        "maxPollRecords (max.poll.records) must be > 0, but was 0");
  }

  @Test
  void aNegativeMaxPollIntervalIsRefusedWhereItIsSet() {
    assertRefused(() -> builder().maxPollInterval(Duration.ofSeconds(-1)), "max.poll.interval.ms",
        Duration.ofSeconds(-1), "maxPollInterval (max.poll.interval.ms) must be between 1 ms and 2147483647 ms, "
            + "but was PT-1S");
  }

  @Test
  void aBlankGroupIdIsRefusedWhereItIsSet() {
    assertRefused(() -> builder().groupId(""), "group.id", "", "groupId (group.id) must not be blank, but was \"\"");
  }

  @Test
  void aBlankGroupInstanceIdIsRefusedWhereItIsSet() {
    assertRefused(() -> builder().groupInstanceId(" "), "group.instance.id", " ",
        "groupInstanceId (group.instance.id) must not be blank, but was \" \"");
  }

  @Test
  void aBlankBootstrapServersIsRefusedWhereItIsSet() {
    assertRefused(() -> builder().bootstrapServers(""), "bootstrap.servers", "",
        "bootstrapServers (bootstrap.servers) must not be blank, but was \"\"");
  }

  @Test
  void deserializersThatAreNoDeserializersAreRefusedWhereTheyAreSet() {
    assertRefused(() -> builder().keyDeserializer(String.class), "key.deserializer", String.class,
        "keyDeserializer (key.deserializer) must implement org.apache.kafka.common.serialization.Deserializer, "
            + "but was java.lang.String");
    assertRefused(() -> builder().valueDeserializer(String.class), "value.deserializer", String.class,
        "valueDeserializer (value.deserializer) must implement org.apache.kafka.common.serialization.Deserializer");
  }

  @Test
  void toStringHidesSecrets() {
    assertThat(builder().override("ssl.truststore.password", "pw").build().toString())
        .contains("ssl.truststore.password=[hidden]", "group.id=orders").doesNotContain("=pw");
  }

  @ParameterizedTest
  @EnumSource(GroupProtocol.class)
  void kafkaClientsAcceptThePresetAsItIs(GroupProtocol protocol) {
    DedupConsumerConfig config = builder().groupProtocol(protocol).groupInstanceId("orders-0").build();
    try (var consumer = new KafkaConsumer<String, String>(config.toMap())) {
      assertThat(consumer.groupMetadata().groupId()).isEqualTo("orders");
    }
  }

  @Test
  void autoCommitsReadsTheSettingAsKafkaClientsDoesInMapsAndProperties() {
    assertThat(DedupConsumerConfig.autoCommits(null)).isFalse();
    assertThat(DedupConsumerConfig.autoCommits(Map.of())).isFalse();
    assertThat(DedupConsumerConfig.autoCommits(Map.of("enable.auto.commit", true))).isTrue();
    assertThat(DedupConsumerConfig.autoCommits(Map.of("enable.auto.commit", " TRUE "))).isTrue();
    assertThat(DedupConsumerConfig.autoCommits(Map.of("enable.auto.commit", "false"))).isFalse();
    Properties defaults = new Properties();
    defaults.setProperty("enable.auto.commit", "true");
    assertThat(DedupConsumerConfig.autoCommits(new Properties(defaults))).isTrue();
    Properties typed = new Properties();
    typed.put("enable.auto.commit", Boolean.TRUE);
    assertThat(DedupConsumerConfig.autoCommits(typed)).isTrue();
  }

  @Test
  void autoCommitsRefusesAValueKafkaClientsRefuses() {
    assertRefused(() -> DedupConsumerConfig.autoCommits(Map.of("enable.auto.commit", "yes")), "enable.auto.commit",
        "yes", "enable.auto.commit must be true or false, but was \"yes\"");
  }
}
