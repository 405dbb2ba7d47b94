package io.github.kafkadedup.consumer.internal;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;

/** The record behind a {@link RecordDeserializationException}, as far as it can be read. */
final class UnreadableRecord {
  private UnreadableRecord() {}

  /**
   * Topic, partition, offset, timestamp and headers of the record; a {@code null} value; its key read with
   * {@code keyDeserializer} when only the value failed (a key strategy may need it), else {@code null}.
   */
  static <K, V> ConsumerRecord<K, V> of(RecordDeserializationException e, Deserializer<K> keyDeserializer) {
    Headers headers = e.headers() != null ? e.headers() : new RecordHeaders();
    return new ConsumerRecord<>(e.topicPartition().topic(), e.topicPartition().partition(), e.offset(),
        e.timestamp(), e.timestampType(), ConsumerRecord.NULL_SIZE, ConsumerRecord.NULL_SIZE,
        key(e, headers, keyDeserializer), null, headers, Optional.empty());
  }

  private static <K> @Nullable K key(RecordDeserializationException e, Headers headers,
      Deserializer<K> keyDeserializer) {
    if (e.origin() != RecordDeserializationException.DeserializationExceptionOrigin.VALUE
        || e.keyBuffer() == null) {
      return null;
    }
    try {
      return keyDeserializer.deserialize(e.topicPartition().topic(), headers, e.keyBuffer().duplicate());
    } catch (RuntimeException keyFailure) {
      return null; // then no key strategy that needs the record key finds one: no claim, still dead-lettered
    }
  }
}
