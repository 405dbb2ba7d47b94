package io.github.kafkadedup.producer;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.testsupport.KafkaBrokerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The preset's producer keeps sending while its only broker is SIGKILLed and restarted: every record
 * lands exactly once and in order per partition, although batches the dead broker had written but not
 * acknowledged are sent again.
 */
class IdempotentProducerFailoverIT {
  private static final Logger log = LoggerFactory.getLogger(IdempotentProducerFailoverIT.class);
  private static final int RECORDS = 10_000;
  private static final int PARTITIONS = 3;
  /** Acknowledged records after which the broker is killed, while the rest is still being sent. */
  private static final int KILL_AFTER_ACKS = 2_000;

  @Test
  void everyRecordLandsExactlyOnceInOrderAcrossABrokerKillAndRestart() throws Exception {
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.start()) {
      String topic = createTopic(broker);
      Map<String, Double> producerMetrics = sendThroughAKill(broker, topic);
      assertThat(producerMetrics.get("record-retry-total"))
          .as("records sent again after the kill (otherwise the kill missed the in-flight batches)")
          .isPositive();

      Map<Integer, List<ConsumerRecord<String, String>>> byPartition = readAll(broker, topic);

      Set<String> keys = new HashSet<>();
      int total = 0;
      for (int partition = 0; partition < PARTITIONS; partition++) {
        List<String> values = byPartition.get(partition).stream().map(ConsumerRecord::value).toList();
        List<String> expected = new ArrayList<>();
        for (int i = partition; i < RECORDS; i += PARTITIONS) {
          expected.add(Integer.toString(i));
        }
        assertThat(values).as("partition %d: each record once, in send order", partition).isEqualTo(expected);
        byPartition.get(partition).forEach(r -> keys.add(
            new String(r.headers().lastHeader(IdempotencyKeys.HEADER).value(), US_ASCII)));
        total += values.size();
      }
      assertThat(total).isEqualTo(RECORDS);
      assertThat(keys).as("one distinct idempotency key per record").hasSize(RECORDS);
    }
  }

  private static String createTopic(KafkaBrokerProcess broker) throws Exception {
    String topic = "failover";
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
      TopicReadiness.awaitWritable(admin, List.of(topic), Duration.ofSeconds(30));
    }
    return topic;
  }

  /** Sends all records; the broker is killed at the 2,000th acknowledgement and restarted. */
  private static Map<String, Double> sendThroughAKill(KafkaBrokerProcess broker, String topic) throws Exception {
    IdempotentProducerConfig config = IdempotentProducerConfig.builder()
        .bootstrapServers(broker.bootstrapServers())
        .keySerializer(StringSerializer.class).valueSerializer(StringSerializer.class)
        .override(ProducerConfig.BATCH_SIZE_CONFIG, 2048) // many small batches, so many are in flight
        .override(ProducerConfig.LINGER_MS_CONFIG, 0)
        .build();
    AtomicInteger acked = new AtomicInteger();
    ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch killed = new CountDownLatch(1);
    try (var producer = new KafkaProducer<String, String>(config.toMap())) {
      for (int i = 0; i < RECORDS; i++) {
        var record = new ProducerRecord<>(topic, i % PARTITIONS, "k" + i, Integer.toString(i));
        producer.send(record, (metadata, error) -> {
          if (error != null) {
            failures.add(error);
          } else if (acked.incrementAndGet() == KILL_AFTER_ACKS) {
            Thread.ofPlatform().start(() -> { // not on the producer's I/O thread
              broker.kill();
              killed.countDown();
            });
          }
        });
      }
      assertThat(killed.await(60, TimeUnit.SECONDS)).as("broker killed").isTrue();
      int ackedAtKill = acked.get();
      broker.restart();
      producer.flush();
      await().atMost(Duration.ofSeconds(30)).until(() -> acked.get() + failures.size() == RECORDS);
      assertThat(failures).as("send failures").isEmpty();
      Map<String, Double> metrics = metrics(producer.metrics());
      log.info("acknowledged before the kill: {} of {}; records sent again: {}", ackedAtKill, RECORDS,
          metrics.get("record-retry-total"));
      return metrics;
    }
  }

  private static Map<String, Double> metrics(Map<?, ? extends Metric> metrics) {
    Map<String, Double> values = new HashMap<>();
    metrics.forEach((name, metric) -> {
      var metricName = metric.metricName();
      if (metricName.group().equals("producer-metrics") && metric.metricValue() instanceof Double d) {
        values.put(metricName.name(), d);
      }
    });
    return values;
  }

  private static Map<Integer, List<ConsumerRecord<String, String>>> readAll(KafkaBrokerProcess broker, String topic) {
    DedupConsumerConfig config = DedupConsumerConfig.builder()
        .bootstrapServers(broker.bootstrapServers()).groupId("failover-check")
        .keyDeserializer(StringDeserializer.class).valueDeserializer(StringDeserializer.class).build();
    Map<Integer, List<ConsumerRecord<String, String>>> byPartition = new HashMap<>();
    try (var consumer = new KafkaConsumer<String, String>(config.toMap())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        partitions.add(new TopicPartition(topic, p));
        byPartition.put(p, new ArrayList<>());
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime()).as("read up to the end offsets %s", end).isLessThan(deadline);
        consumer.poll(Duration.ofMillis(200)).forEach(r -> byPartition.get(r.partition()).add(r));
      }
    }
    return byPartition;
  }
}
