package io.github.kafkadedup.producer;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.testsupport.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** A transactional producer from the preset, read back by the consumer preset. */
class TransactionalPresetIT {
  private static final int RECORDS = 100;

  @Test
  void theConsumerPresetSeesCommittedRecordsOnlyEachWithAKeyAndTheApplicationsKeyKept() {
    String topic = TestKafka.get().createTopic("tx-preset", 1);
    sendAnAbortedThenACommittedTransaction(topic);

    List<ConsumerRecord<String, String>> records = readAll(consumerPreset("tx-check").build(), topic);

    assertThat(records).extracting(ConsumerRecord::value).hasSize(RECORDS).allMatch(v -> v.startsWith("committed-"));
    assertThat(records).extracting(r -> key(r)).doesNotHaveDuplicates()
        .contains("order-7-v1")
        .filteredOn(k -> !k.equals("order-7-v1")).allMatch(k -> k.length() == 36);
  }

  @Test
  void readUncommittedUnderTheWarnStanceAlsoDeliversTheAbortedRecords() {
    String topic = TestKafka.get().createTopic("tx-preset-warn", 1);
    sendAnAbortedThenACommittedTransaction(topic);
    DedupConsumerConfig readUncommitted = consumerPreset("tx-warn").stance(Stance.WARN)
        .override("isolation.level", "read_uncommitted").build();

    List<ConsumerRecord<String, String>> records = readAll(readUncommitted, topic);

    assertThat(records).extracting(ConsumerRecord::value).hasSize(2 * RECORDS)
        .filteredOn(v -> v.startsWith("aborted-")).hasSize(RECORDS);
  }

  private static void sendAnAbortedThenACommittedTransaction(String topic) {
    IdempotentProducerConfig config = IdempotentProducerConfig.builder()
        .bootstrapServers(TestKafka.get().bootstrapServers())
        .keySerializer(StringSerializer.class).valueSerializer(StringSerializer.class)
        .transactionalIdPrefix("tx-preset-it-").build();
    try (var producer = new KafkaProducer<String, String>(config.toMap(topic))) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < RECORDS; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "aborted-" + i));
      }
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      for (int i = 0; i < RECORDS; i++) {
        var record = new ProducerRecord<>(topic, "k" + i, "committed-" + i);
        if (i == 7) {
          record.headers().add(IdempotencyKeys.HEADER, "order-7-v1".getBytes(US_ASCII));
        }
        producer.send(record);
      }
      producer.commitTransaction();
    }
  }

  private static DedupConsumerConfig.Builder consumerPreset(String group) {
    return DedupConsumerConfig.builder().bootstrapServers(TestKafka.get().bootstrapServers()).groupId(group)
        .keyDeserializer(StringDeserializer.class).valueDeserializer(StringDeserializer.class);
  }

  /** Reads from the beginning up to the end offset (the last stable offset under read_committed). */
  private static List<ConsumerRecord<String, String>> readAll(DedupConsumerConfig config, String topic) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    TopicPartition partition = new TopicPartition(topic, 0);
    try (var consumer = new KafkaConsumer<String, String>(config.toMap())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(partition) < end) {
        assertThat(System.nanoTime()).as("read up to offset %d", end).isLessThan(deadline);
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  private static String key(ConsumerRecord<?, ?> record) {
    var header = record.headers().lastHeader(IdempotencyKeys.HEADER);
    assertThat(header).as("idempotency-key header of offset %d", record.offset()).isNotNull();
    return new String(header.value(), US_ASCII);
  }

}
