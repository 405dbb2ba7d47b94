package io.github.kafkadedup.outbox.internal;

import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
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

  /**
   * The acknowledged rows; the rows that can never be sent, each with its failure ({@link #isRecordLevel});
   * and the first other failure (null if none), after which the rows not acknowledged are tried again.
   */
  record Outcome(List<OutboxRow> published, Map<OutboxRow, Exception> unpublishable, @Nullable Exception failure) {}

  /**
   * Whether {@code failure} of sending a record would recur on every retry because of the record itself
   * (too large for the producer or the broker, invalid, not serializable), not the broker's state.
   */
  static boolean isRecordLevel(@Nullable Throwable failure) {
    return failure instanceof RecordTooLargeException || failure instanceof RecordBatchTooLargeException
        || failure instanceof InvalidRecordException || failure instanceof SerializationException;
  }

  /**
   * Hands every row to the producer in order without waiting (the idempotent producer keeps the order per
   * partition, so the rows of one (topic, key) arrive in id order; a row that can never be sent does not stop
   * the others): the producer sends them after
   * {@code linger.ms} (or when its batches fill), so that the relay can read the next batch meanwhile.
   * {@link Pending#await} collects the acknowledgements.
   */
  Pending send(List<OutboxRow> rows, ObservationRegistry observations, String relay) {
    List<@Nullable Future<RecordMetadata>> sent = new ArrayList<>(rows.size());
    Map<OutboxRow, Exception> unpublishable = new LinkedHashMap<>();
    Exception failure = null;
    for (OutboxRow row : rows) {
      try {
        sent.add(producer.send(new ProducerRecord<>(row.topic(), null, null, row.key(), row.value(),
            Observations.relayPublish(observations, relay, row.topic(),
                row.headers() == null ? null : HeaderCodec.decode(row.headers())))));
      } catch (RuntimeException e) { // e.g. the metadata wait timed out, or the record is too large
        if (isRecordLevel(e)) {
          sent.add(null);
          unpublishable.put(row, e);
          continue;
        }
        failure = e;
        break;
      }
    }
    return new Pending(rows, sent, unpublishable, failure);
  }

  /** Sends whatever the producer still holds at once, instead of after {@code linger.ms}. */
  void flush() {
    producer.flush();
  }

  /** A batch handed to the producer whose acknowledgements have not been collected yet. */
  static final class Pending {
    private final List<OutboxRow> rows;
    private final List<@Nullable Future<RecordMetadata>> sent;
    private final Map<OutboxRow, Exception> unpublishable;
    private final @Nullable Exception sendFailure;

    private Pending(List<OutboxRow> rows, List<@Nullable Future<RecordMetadata>> sent,
        Map<OutboxRow, Exception> unpublishable, @Nullable Exception sendFailure) {
      this.rows = rows;
      this.sent = sent;
      this.unpublishable = unpublishable;
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

    /** Waits for every acknowledgement: the acknowledged rows, those that can never be sent, the first failure. */
    Outcome await() {
      List<OutboxRow> published = new ArrayList<>(sent.size());
      Exception failure = sendFailure;
      for (int i = 0; i < sent.size(); i++) {
        Future<RecordMetadata> future = sent.get(i);
        if (future == null) {
          continue; // refused by send() itself: already in unpublishable
        }
        try {
          future.get();
          published.add(rows.get(i));
        } catch (ExecutionException e) {
          Exception cause = e.getCause() instanceof Exception c ? c : e;
          if (isRecordLevel(cause)) {
            unpublishable.put(rows.get(i), cause);
          } else if (failure == null) {
            failure = cause;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return new Outcome(published, unpublishable, e);
        }
      }
      return new Outcome(published, unpublishable, failure);
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
