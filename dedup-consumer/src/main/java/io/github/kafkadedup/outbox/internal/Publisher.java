package io.github.kafkadedup.outbox.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
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
  private final KafkaProducer<byte[], byte[]> producer;

  Publisher(java.util.Map<String, Object> settings) {
    this.producer = new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer());
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
   * Sends every row in order and waits for all acknowledgements. The idempotent producer keeps the order
   * per partition, so the rows of one (topic, key) arrive in id order. A row that can never be sent does not
   * stop the others.
   */
  Outcome publish(List<OutboxRow> rows) {
    List<Future<RecordMetadata>> sent = new ArrayList<>(rows.size());
    Map<OutboxRow, Exception> unpublishable = new LinkedHashMap<>();
    Exception failure = null;
    for (OutboxRow row : rows) {
      try {
        sent.add(producer.send(new ProducerRecord<>(row.topic(), null, null, row.key(), row.value(),
            row.headers() == null ? null : HeaderCodec.decode(row.headers()))));
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
    producer.flush();
    List<OutboxRow> published = new ArrayList<>(sent.size());
    for (int i = 0; i < sent.size(); i++) {
      Future<RecordMetadata> future = sent.get(i);
      if (future == null) {
        continue;
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

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  void closeNow() {
    producer.close(Duration.ZERO);
  }
}
