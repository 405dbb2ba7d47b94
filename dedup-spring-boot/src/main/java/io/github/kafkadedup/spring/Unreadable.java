package io.github.kafkadedup.spring;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.support.KafkaUtils;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

/**
 * Records an {@code ErrorHandlingDeserializer} could not read. A record container checks them before calling a
 * record listener; a batch container does not, so a record listener fed by {@link PollListenerAdapter} is
 * protected here: such a record fails before the listener sees it (its key, when the key strategy reads it
 * without the value, is then stored as dead-lettered like any recovered record's).
 */
final class Unreadable {
  private Unreadable() {}

  /** Whether {@code record}'s key or value could not be deserialized. */
  static boolean check(ConsumerRecord<?, ?> record) {
    return failureOf(record) != null;
  }

  /** The deserialization failure of {@code record}; call only when {@link #check} said so. */
  static RuntimeException failure(ConsumerRecord<?, ?> record) {
    DeserializationException failure = failureOf(record);
    if (failure == null) {
      throw new IllegalStateException("record is readable");
    }
    return failure;
  }

  private static @Nullable DeserializationException failureOf(ConsumerRecord<?, ?> record) {
    if (record.value() instanceof DeserializationException e) {
      return e;
    }
    if (record.key() instanceof DeserializationException e) {
      return e;
    }
    if (record.value() == null && record.headers().lastHeader(KafkaUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER)
        != null) {
      return SerializationUtils.getExceptionFromHeader(record, KafkaUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER,
          LOG);
    }
    if (record.key() == null && record.headers().lastHeader(KafkaUtils.KEY_DESERIALIZER_EXCEPTION_HEADER)
        != null) {
      return SerializationUtils.getExceptionFromHeader(record, KafkaUtils.KEY_DESERIALIZER_EXCEPTION_HEADER,
          LOG);
    }
    return null;
  }

  private static final org.springframework.core.log.LogAccessor LOG =
      new org.springframework.core.log.LogAccessor(Unreadable.class);
}
