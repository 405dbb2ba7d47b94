package io.github.kafkadedup.benchmarks.e2e;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A hand-written consumer loop without kafka-dedup: poll, apply the batch in the database
 * ({@link Work}), commit the batch's offsets to Kafka. Runs until {@link #stop()}.
 */
final class PlainLoop implements Runnable {
  /** The database part of one poll batch; it commits its own transaction(s). */
  @FunctionalInterface
  interface Work {
    void apply(Connection c, List<ConsumerRecord<String, String>> batch) throws Exception;
  }

  private final Map<String, Object> props;
  private final String topic;
  private final DataSource dataSource;
  private final Work work;
  private final RunProbe probe;
  private volatile boolean running = true;

  PlainLoop(Map<String, Object> props, String topic, DataSource dataSource, Work work, RunProbe probe) {
    this.props = props;
    this.topic = topic;
    this.dataSource = dataSource;
    this.work = work;
    this.probe = probe;
  }

  @Override
  public void run() {
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      while (running) {
        ConsumerRecords<String, String> polled = consumer.poll(Duration.ofMillis(200));
        if (polled.isEmpty()) {
          continue;
        }
        List<ConsumerRecord<String, String>> batch = new ArrayList<>(polled.count());
        polled.forEach(batch::add);
        probe.batchStarting();
        try (Connection c = dataSource.getConnection()) {
          c.setAutoCommit(false);
          work.apply(c, batch);
        }
        probe.committed(batch); // the work committed its transaction
        probe.applied(batch.size());
        consumer.commitSync(nextOffsets(batch));
      }
    } catch (Exception e) {
      throw new IllegalStateException("plain consumer loop failed: " + e, e);
    }
  }

  void stop() {
    running = false;
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<ConsumerRecord<String, String>> batch) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (ConsumerRecord<String, String> r : batch) {
      offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
    }
    return offsets;
  }
}
