package io.github.kafkadedup.producer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A producer interceptor that stamps a new {@link IdempotencyKeys#newKey() key} into the
 * {@value IdempotencyKeys#HEADER} header of every record that has no such header, and leaves a record
 * that already has one untouched.
 *
 * <p>The header is added to the record the application passed to {@code send}, so when the application
 * sends the same {@code ProducerRecord} object again (its own retry after a timeout, say) the record keeps
 * its key and a kafka-dedup consumer drops the second copy. Kafka's idempotent producer cannot see such
 * re-sends: to the broker they are new records. An application that rebuilds the record for a re-send
 * must copy the header itself. The value is the key's canonical 36-character text in US-ASCII.
 *
 * <p>Enabled by {@link IdempotentProducerConfig} (the default); otherwise add this class to
 * {@code interceptor.classes}. Stateless and thread-safe.
 */
public final class IdempotencyKeyInterceptor
    implements ProducerInterceptor<@Nullable Object, @Nullable Object> {
  private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyInterceptor.class);

  /** Creates the interceptor; kafka-clients calls this through {@code interceptor.classes}. */
  public IdempotencyKeyInterceptor() {
    // stateless
  }

  /**
   * Adds the header when the record has none.
   *
   * @param record the record being sent
   * @return the same record; a copy only when its headers are read-only (a record sent before through a
   *     producer without this interceptor)
   */
  @Override
  public ProducerRecord<@Nullable Object, @Nullable Object> onSend(
      ProducerRecord<@Nullable Object, @Nullable Object> record) {
    if (record.headers().lastHeader(IdempotencyKeys.HEADER) != null) {
      return record;
    }
    byte[] key = IdempotencyKeys.newKey().toString().getBytes(StandardCharsets.US_ASCII);
    try {
      record.headers().add(IdempotencyKeys.HEADER, key);
      return record;
    } catch (IllegalStateException readOnly) {
      log.debug("headers of a record to {} are read-only; sending a copy with an idempotency key", record.topic());
      RecordHeaders headers = new RecordHeaders(record.headers().toArray());
      headers.add(IdempotencyKeys.HEADER, key);
      return new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(),
          record.value(), headers);
    }
  }

  /**
   * Does nothing.
   *
   * @param metadata the acknowledged record's metadata
   * @param exception the send failure, or {@code null}
   */
  @Override
  public void onAcknowledgement(@Nullable RecordMetadata metadata, @Nullable Exception exception) {
    // nothing to do
  }

  /** Does nothing. */
  @Override
  public void close() {
    // nothing to release
  }

  /**
   * Takes no settings.
   *
   * @param configs the producer's settings, unused
   */
  @Override
  public void configure(Map<String, ?> configs) {
    // no settings
  }
}
