package io.github.kafkadedup.consumer;

import io.github.kafkadedup.consumer.internal.DeadLetterPublisher;
import java.time.Duration;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.LoggerFactory;

/**
 * Takes a record that cannot be processed (a poison record, or one without a usable key) so that the
 * records after it can go on. It runs inside the dedup transaction, which also records the key with
 * status dead-lettered; if it throws, that transaction rolls back and the record is not acknowledged
 * (it will be polled again). Nothing is dropped silently.
 *
 * @param <K> record key type
 * @param <V> record value type
 */
@FunctionalInterface
public interface Recoverer<K, V> {

  /**
   * Takes {@code record}; must not return before the record is durably handed over.
   *
   * @param record the record
   * @param reason why it could not be processed ({@link DedupException#kind()}, cause)
   * @throws Exception if it could not take the record: the record stays unacknowledged
   */
  void recover(ConsumerRecord<K, V> record, DedupException reason) throws Exception;

  /**
   * Publishes to {@code <topic>.DLT} with the original key, value and headers, plus headers
   * {@code dedup-dlt-kind}, {@code dedup-dlt-reason}, {@code dedup-dlt-exception},
   * {@code dedup-dlt-original-topic}, {@code -partition}, {@code -offset}. Waits for the broker's
   * acknowledgement (up to 30 s). The DLT topic must exist unless the broker auto-creates topics.
   *
   * @param producer a byte[] producer (idempotent preset recommended); not closed by the recoverer
   * @param keySerializer serializes the record key back to bytes
   * @param valueSerializer serializes the record value back to bytes
   * @param <K> record key type
   * @param <V> record value type
   * @return the recoverer
   */
  static <K, V> Recoverer<K, V> deadLetterTopic(Producer<byte[], byte[]> producer,
      Serializer<? super K> keySerializer, Serializer<? super V> valueSerializer) {
    return deadLetterTopic(producer, keySerializer, valueSerializer, r -> r.topic() + ".DLT");
  }

  /**
   * Like {@link #deadLetterTopic(Producer, Serializer, Serializer)} with a chosen topic per record.
   *
   * @param producer a byte[] producer; not closed by the recoverer
   * @param keySerializer serializes the record key back to bytes
   * @param valueSerializer serializes the record value back to bytes
   * @param topic the dead-letter topic of a record
   * @param <K> record key type
   * @param <V> record value type
   * @return the recoverer
   */
  static <K, V> Recoverer<K, V> deadLetterTopic(Producer<byte[], byte[]> producer,
      Serializer<? super K> keySerializer, Serializer<? super V> valueSerializer,
      Function<ConsumerRecord<?, ?>, String> topic) {
    return new DeadLetterPublisher<>(producer, keySerializer, valueSerializer, topic, Duration.ofSeconds(30));
  }

  /**
   * Logs the record at ERROR and lets the transaction record its key as dead-lettered
   * ({@code status = 'D'} in {@code claims}, queryable), without copying it anywhere: the
   * record itself stays in its topic until the topic's retention removes it.
   *
   * @param <K> record key type
   * @param <V> record value type
   * @return the recoverer
   */
  static <K, V> Recoverer<K, V> logAndMarkDead() {
    return (record, reason) -> LoggerFactory.getLogger(Recoverer.class)
        .error("dead-lettered (logged only): {}", reason.getMessage(), reason.getCause());
  }
}
