package io.github.kafkadedup.outbox.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/** The relay's idempotent producer: sends a batch of rows and reports which ones Kafka acknowledged. */
final class Publisher implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;

  Publisher(java.util.Map<String, Object> settings) {
    this.producer = new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The acknowledged ids, and the first failure (null if none). */
  record Outcome(List<Long> published, @Nullable Exception failure) {}

  /**
   * Sends every row in order and waits for all acknowledgements. The idempotent producer keeps the order
   * per partition, so the rows of one (topic, key) arrive in id order.
   */
  Outcome publish(List<OutboxRow> rows) {
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
    producer.flush();
    List<Long> published = new ArrayList<>(sent.size());
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

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  void closeNow() {
    producer.close(Duration.ZERO);
  }
}
