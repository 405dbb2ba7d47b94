package io.github.kafkadedup.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.testsupport.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two static members of a group built from the consumer preset share the partitions, with either protocol. */
class ConsumerGroupPresetIT {
  private static final int PARTITIONS = 4;
  private static final int RECORDS = 200;

  @ParameterizedTest
  @EnumSource(GroupProtocol.class)
  void twoStaticMembersSplitThePartitionsAndConsumeEveryRecord(GroupProtocol protocol) throws Exception {
    String topic = TestKafka.get().createTopic("group-preset-" + protocol, PARTITIONS);
    produce(topic);
    DedupConsumerConfig config = DedupConsumerConfig.builder().bootstrapServers(TestKafka.get().bootstrapServers())
        .groupId("group-preset-" + topic).groupProtocol(protocol).maxPollRecords(50)
        .keyDeserializer(StringDeserializer.class).valueDeserializer(StringDeserializer.class).build();
    List<String> values = new ArrayList<>();

    try (var a = new KafkaConsumer<String, String>(config.toBuilder().groupInstanceId("member-a").build().toMap());
        var b = new KafkaConsumer<String, String>(config.toBuilder().groupInstanceId("member-b").build().toMap())) {
      a.subscribe(List.of(topic));
      b.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (new HashSet<>(values).size() < RECORDS || a.assignment().isEmpty() || b.assignment().isEmpty()
          || committed(config.groupId()) < RECORDS) {
        assertThat(System.nanoTime()).as("%s consumed %d records, assignments %s / %s", protocol, values.size(),
            a.assignment(), b.assignment()).isLessThan(deadline);
        pollAndCommit(a, values);
        pollAndCommit(b, values);
      }
      Set<TopicPartition> both = new HashSet<>(a.assignment());
      both.addAll(b.assignment());
      assertThat(both).as("the members together own every partition").hasSize(PARTITIONS);
      assertThat(a.assignment()).doesNotContainAnyElementsOf(b.assignment());
    }
    // a commit refused during the members' rebalance (stale member epoch) legitimately redelivers a batch:
    // plain consumers are at-least-once, which is what kafka-dedup is for
    assertThat(new HashSet<>(values)).hasSize(RECORDS);
    assertThat(committed(config.groupId())).isEqualTo(RECORDS);
  }

  private static void pollAndCommit(KafkaConsumer<String, String> consumer, List<String> values) {
    var records = consumer.poll(Duration.ofMillis(100));
    for (ConsumerRecord<String, String> record : records) {
      values.add(record.value());
    }
    commitQuietly(consumer);
  }

  /** Commits the consumed positions; a commit refused during a rebalance is retried on the next round. */
  private static void commitQuietly(KafkaConsumer<String, String> consumer) {
    try {
      consumer.commitSync();
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // retried after the next poll
    }
  }

  private static long committed(String groupId) throws Exception {
    return TestKafka.get().admin().listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
        .get(30, TimeUnit.SECONDS).values().stream().mapToLong(OffsetAndMetadata::offset).sum();
  }

  private static void produce(String topic) {
    IdempotentProducerConfig config = IdempotentProducerConfig.builder()
        .bootstrapServers(TestKafka.get().bootstrapServers())
        .keySerializer(StringSerializer.class).valueSerializer(StringSerializer.class).build();
    try (var producer = new KafkaProducer<String, String>(config.toMap())) {
      for (int i = 0; i < RECORDS; i++) {
        producer.send(new ProducerRecord<>(topic, i % PARTITIONS, "k" + i, "v" + i));
      }
    }
  }
}
