package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.internal.Plan;
import java.nio.ByteBuffer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.support.KafkaUtils;
import org.springframework.kafka.support.serializer.DeserializationException;

/**
 * The engine's reason for a record Spring's error handler gives up on, for {@link DeadLetterTableRecoverer}: a
 * {@link DedupException} the adapters raised (no usable key, replay of a dead-lettered key) as it is; a record
 * an {@code ErrorHandlingDeserializer} could not read as {@code UNDESERIALIZABLE}, with its original bytes
 * (as a {@link RecordDeserializationException}, which the dead-letter table stores raw); anything else as
 * {@code HANDLER_FAILED} caused by the listener's own exception (Spring's wrappers removed).
 */
final class SpringDeadLetterReasons {
  private final Serializer<Object> keySerializer;
  private final Serializer<Object> valueSerializer;

  SpringDeadLetterReasons(Serializer<Object> keySerializer, Serializer<Object> valueSerializer) {
    this.keySerializer = keySerializer;
    this.valueSerializer = valueSerializer;
  }

  DedupException of(ConsumerRecord<Object, Object> record, Plan.Item<Object, Object> item,
      @Nullable Exception failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof DedupException d && d.kind() != DedupException.Kind.DATABASE) {
        return d;
      }
    }
    if (Unreadable.check(record)) {
      return undeserializable(record, (DeserializationException) Unreadable.failure(record));
    }
    if (item.rejection() != null) {
      return item.rejection();
    }
    Throwable cause = failure;
    while ((cause instanceof ListenerExecutionFailedException || cause instanceof BatchListenerFailedException)
        && cause.getCause() != null) {
      cause = cause.getCause(); // the listener's own exception
    }
    return DedupException.handlerFailed(record, item.key(),
        cause != null ? cause : new IllegalStateException("the error handler gave no exception"));
  }

  private DedupException undeserializable(ConsumerRecord<Object, Object> record, DeserializationException failure) {
    byte[] key = failure.isKey() ? failure.getData() : raw(record, record.key(), true);
    byte[] value = failure.isKey() ? raw(record, record.value(), false) : failure.getData();
    RecordDeserializationException raw = new RecordDeserializationException(
        failure.isKey() ? RecordDeserializationException.DeserializationExceptionOrigin.KEY
            : RecordDeserializationException.DeserializationExceptionOrigin.VALUE,
        new TopicPartition(record.topic(), record.partition()), record.offset(), record.timestamp(),
        record.timestampType(), key == null ? null : ByteBuffer.wrap(key),
        value == null ? null : ByteBuffer.wrap(value), withoutSpringHeaders(record).headers(),
        String.valueOf(failure.getMessage()),
        failure);
    return DedupException.undeserializable(record, raw);
  }

  /**
   * {@code record} without the headers in which an {@code ErrorHandlingDeserializer} put its exception (a
   * serialized Java object): the dead letter keeps the record as it was produced, and neither its copy on the
   * DLT nor a replay carries them. The same instance when it has none.
   */
  static ConsumerRecord<Object, Object> withoutSpringHeaders(ConsumerRecord<Object, Object> record) {
    Headers headers = record.headers();
    if (headers.lastHeader(KafkaUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER) == null
        && headers.lastHeader(KafkaUtils.KEY_DESERIALIZER_EXCEPTION_HEADER) == null) {
      return record;
    }
    RecordHeaders kept = new RecordHeaders(headers.toArray());
    kept.remove(KafkaUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER);
    kept.remove(KafkaUtils.KEY_DESERIALIZER_EXCEPTION_HEADER);
    return new ConsumerRecord<>(record.topic(), record.partition(), record.offset(), record.timestamp(),
        record.timestampType(), record.serializedKeySize(), record.serializedValueSize(), record.key(),
        record.value(), kept, record.leaderEpoch());
  }

  /** The bytes of the other half of an unreadable record: raw if it failed too, else serialized back. */
  private byte @Nullable [] raw(ConsumerRecord<Object, Object> record, @Nullable Object data, boolean key) {
    if (data instanceof DeserializationException e) {
      return e.getData();
    }
    if (data == null) {
      return null;
    }
    RecordHeaders headers = new RecordHeaders(record.headers().toArray());
    return key ? keySerializer.serialize(record.topic(), headers, data)
        : valueSerializer.serialize(record.topic(), headers, data);
  }
}
