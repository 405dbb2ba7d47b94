package io.github.kafkadedup.outbox.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/** The relay's idempotent producer: sends a batch of rows and reports which ones Kafka acknowledged. */
final class Publisher implements AutoCloseable {
  /**
   * {@code batch.size} unless the relay's producer settings name one: a relay batch of 1,000 rows of a few
   * hundred bytes spread over a topic's partitions fills Kafka's 16 kB default several times per partition.
   */
  static final int DEFAULT_BATCH_SIZE = 256 * 1024;

  private final KafkaProducer<byte[], byte[]> producer;

  Publisher(Map<String, Object> settings) {
    Map<String, Object> withDefaults = new HashMap<>(settings);
    withDefaults.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, DEFAULT_BATCH_SIZE);
    // a batch is handed over in one go and then waited for (flush, or after reading the next batch): lingering
    // would only delay it; the producer still batches whatever accumulates while its requests are in flight
    withDefaults.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
    this.producer = new KafkaProducer<>(withDefaults, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The acknowledged ids, and the first failure (null if none). */
  record Outcome(List<Long> published, @Nullable Exception failure) {}

  /**
   * Sends every row in order and waits for all acknowledgements. The idempotent producer keeps the order
   * per partition, so the rows of one (topic, key) arrive in id order.
   */
  Outcome publish(List<OutboxRow> rows) {
    Pending pending = send(rows);
    producer.flush();
    return pending.await();
  }

  /**
   * Hands every row to the producer in order without waiting: the producer sends them after
   * {@code linger.ms} (or when its batches fill), so that the relay can read the next batch meanwhile.
   * {@link Pending#await} collects the acknowledgements.
   */
  Pending send(List<OutboxRow> rows) {
    List<Future<RecordMetadata>> sent = new ArrayList<>(rows.size());
    Exception failure = null;
    for (OutboxRow row : rows) {
      try {
        sent.add(producer.send(new ProducerRecord<>(row.topic(), null, null, row.key(), row.value(),
            row.headers() == null ? null : HeaderCodec.decode(row.headers()))));
      } catch (RuntimeException e) { // e.g. the metadata wait timed out, or the record is too large
        failure = e;
        break;
      }
    }
    return new Pending(rows, sent, failure);
  }

  /** Sends whatever the producer still holds at once, instead of after {@code linger.ms}. */
  void flush() {
    producer.flush();
  }

  /** A batch handed to the producer whose acknowledgements have not been collected yet. */
  static final class Pending {
    private final List<OutboxRow> rows;
    private final List<Future<RecordMetadata>> sent;
    private final @Nullable Exception sendFailure;

    private Pending(List<OutboxRow> rows, List<Future<RecordMetadata>> sent, @Nullable Exception sendFailure) {
      this.rows = rows;
      this.sent = sent;
      this.sendFailure = sendFailure;
    }

    /**
     * Whether the next batch may be read while this one is in flight, by leaving out ids from
     * {@link #firstId} to {@link #lastId}: true if every row was handed to the producer and the ids are
     * consecutive (rows are read in id order), so that range holds exactly this batch's rows. Ids
     * with gaps (rows of lanes owned by other relays, rolled-back or still open transactions) could hide a
     * row that commits later, whose key's later rows the next batch would then publish first.
     */
    boolean excludableByRange() {
      return sendFailure == null && lastId() - firstId() + 1 == rows.size();
    }

    long firstId() {
      return rows.get(0).id();
    }

    long lastId() {
      return rows.get(rows.size() - 1).id();
    }

    /** Waits for every acknowledgement; the acknowledged ids and the first failure. */
    Outcome await() {
      List<Long> published = new ArrayList<>(sent.size());
      Exception failure = sendFailure;
      for (int i = 0; i < sent.size(); i++) {
        try {
          sent.get(i).get();
          published.add(rows.get(i).id());
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof Exception cause ? cause : e;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return new Outcome(published, e);
        }
      }
      return new Outcome(published, failure);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  void closeNow() {
    producer.close(Duration.ZERO);
  }
}
