package io.github.kafkadedup.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kafkadedup.testsupport.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** {@link TopicReadiness} against the real broker. */
class TopicReadinessIT {
  private static final int PARTITIONS = 6;
  private static final int RECORDS = 600;

  /**
   * Creating a topic and producing to it at once with several batches in flight is the KAFKA-15591 race
   * (a probe of 20 such rounds on this broker lost sends in 4 rounds without the wait, in none with it);
   * after {@code awaitWritable} every send is acknowledged. A short delivery timeout makes a lost batch fail
   * its send within seconds.
   */
  @Test
  void everySendToAFreshTopicIsAcknowledgedAfterTheWait() throws Exception {
    Admin admin = TestKafka.get().admin();
    IdempotentProducerConfig config = IdempotentProducerConfig.builder()
        .bootstrapServers(TestKafka.get().bootstrapServers())
        .override("request.timeout.ms", 2_000).deliveryTimeout(Duration.ofSeconds(6))
        .keySerializer(StringSerializer.class).valueSerializer(StringSerializer.class).build();
    for (int round = 0; round < 10; round++) {
      String topic = "readiness-" + UUID.randomUUID();
      admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
      TopicReadiness.awaitWritable(admin, Set.of(topic), Duration.ofSeconds(30));

      try (var producer = new KafkaProducer<String, String>(config.toMap())) {
        Sends.roundRobin(producer, topic, PARTITIONS, RECORDS);
      }
      assertThat(TestKafka.get().readAll(topic, RECORDS)).hasSize(RECORDS);
    }
  }

  @Test
  void aMissingTopicIsReportedWhenTheTimeoutEnds() {
    String topic = "never-created-" + UUID.randomUUID();
    // 10 s, not less: on a loaded 2-core machine one describeTopics round can take seconds, and a deadline
    // that ends before the broker's first answer is (rightly) a TimeoutException, not a missing topic
    assertThatThrownBy(() -> TopicReadiness.awaitWritable(TestKafka.get().admin(), List.of(topic),
        Duration.ofSeconds(10)))
        .isInstanceOf(UnknownTopicOrPartitionException.class).hasMessageContaining(topic);
  }

  @Test
  void argumentsAreChecked() {
    Admin admin = TestKafka.get().admin();
    assertThatThrownBy(() -> TopicReadiness.awaitWritable(admin, List.of(), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("topics must name at least one topic");
    assertThatThrownBy(() -> TopicReadiness.awaitWritable(admin, List.of("t"), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, but was PT0S");
    assertThatThrownBy(() -> TopicReadiness.awaitWritable(null, List.of("t"), Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class).hasMessage("admin");
  }
}
