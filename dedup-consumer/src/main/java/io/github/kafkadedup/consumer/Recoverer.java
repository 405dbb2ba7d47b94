package io.github.kafkadedup.consumer;

import io.github.kafkadedup.consumer.internal.DeadLetterProducerSettings;
import io.github.kafkadedup.consumer.internal.DeadLetterPublisher;
import io.github.kafkadedup.consumer.internal.DeadLetterTable;
import io.github.kafkadedup.consumer.internal.EngineLoggers;
import java.time.Duration;
import java.util.Map;
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
   * Publishes to {@code <topic>.DLT} directly, at least once (a crash after the publish and before the
   * commit publishes it again; prefer {@link #deadLetterTable}, which is exactly once), with the original key, value and headers, plus headers
   * {@code dedup-dlt-kind}, {@code dedup-dlt-reason} (the reason code: {@code handler_failed},
   * {@code undeserializable}, ...), {@code dedup-dlt-message} (at most 4096 characters), {@code dedup-dlt-exception}
   * (the failure's class),
   * {@code dedup-dlt-original-topic}, {@code -partition}, {@code -offset}. Waits for the broker's
   * acknowledgement (up to 30 s). The DLT topic must exist unless the broker auto-creates topics.
   *
   * <p>Size the producer with {@link #deadLetterProducerProperties}, so that every record the consumer can
   * receive can be sent back. A copy that can never be sent anyway ({@code RecordTooLargeException} from
   * the producer or the broker, {@code InvalidRecordException}, {@code SerializationException}) does not
   * block the partition: a reduced copy is published instead, without the value, keeping the key and the
   * original headers only up to 1 KiB each, with the {@code dedup-dlt-*} headers (which name the source
   * topic-partition@offset) and {@code dedup-dlt-reduced} (why), {@code dedup-dlt-original-key-bytes},
   * {@code -value-bytes}, {@code -headers-bytes}; logged once at WARN, counted by
   * {@link DedupMetrics#deadLetterReduced}. Other failures (broker unreachable, timeout) are thrown: the
   * record is not acknowledged and is tried again after a backoff.
   *
   * @param producer a byte[] producer (see {@link #deadLetterProducerProperties}); not closed by the recoverer
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
   * Stores the record in the {@code dead_letters} table (migration V5) in the same transaction as its key's
   * {@code D} claim (and its offset, when offsets live in PostgreSQL), with its original key, value and
   * headers bytes, the reason and the exception; the same transaction writes its copy for
   * {@code <topic>.DLT} to the outbox, which an {@link io.github.kafkadedup.outbox.OutboxRelay} publishes
   * (with the original headers and the {@code dedup-dlt-*} headers of {@link #deadLetterTopic}). So a record
   * is dead-lettered exactly once: a crash before the commit leaves nothing, a crash after it leaves the row
   * for the relay, and dead-lettering the same record again stores nothing. A copy the relay can never
   * publish (larger than its producer's {@code max.request.size}, invalid) stays in the table as
   * {@code held} (one WARN, meter {@code kafka.dedup.outbox.held}) and never blocks the partition or the
   * relay. Operators list, show, replay and discard the rows with {@link io.github.kafkadedup.outbox.DeadLetters}.
   *
   * <p>This is the recommended recoverer: it needs no producer in the consumer and no broker while
   * dead-lettering, but an outbox relay must run somewhere for the copies to reach the dead-letter topic.
   * The recoverer only works inside the engine ({@code DedupConsumer}, {@code DedupProcessor}), which calls
   * it on the transaction; its {@link #recover} alone throws {@code UnsupportedOperationException}.
   *
   * @param keySerializer serializes the record key back to bytes (not used for undeserializable records,
   *     whose original bytes are stored)
   * @param valueSerializer serializes the record value back to bytes
   * @param <K> record key type
   * @param <V> record value type
   * @return the recoverer
   */
  static <K, V> Recoverer<K, V> deadLetterTable(Serializer<? super K> keySerializer,
      Serializer<? super V> valueSerializer) {
    return deadLetterTable(keySerializer, valueSerializer, r -> r.topic() + ".DLT");
  }

  /**
   * Like {@link #deadLetterTable(Serializer, Serializer)} with a chosen dead-letter topic per record.
   *
   * @param keySerializer serializes the record key back to bytes
   * @param valueSerializer serializes the record value back to bytes
   * @param topic the dead-letter topic of a record
   * @param <K> record key type
   * @param <V> record value type
   * @return the recoverer
   */
  static <K, V> Recoverer<K, V> deadLetterTable(Serializer<? super K> keySerializer,
      Serializer<? super V> valueSerializer, Function<ConsumerRecord<?, ?>, String> topic) {
    return new DeadLetterTable<>(java.util.Objects.requireNonNull(keySerializer, "keySerializer"),
        java.util.Objects.requireNonNull(valueSerializer, "valueSerializer"),
        java.util.Objects.requireNonNull(topic, "topic"));
  }

  /**
   * Properties for the dead-letter producer of a consumer built from {@code consumerProperties}:
   * {@code bootstrap.servers} and the {@code security.*}, {@code ssl.*}, {@code sasl.*} settings taken from
   * them, byte[] serializers, {@code acks=all}, idempotence, and {@code max.request.size} (and
   * {@code buffer.memory}, if lower) set to the largest record the consumer can receive
   * ({@code fetch.max.bytes} or {@code max.partition.fetch.bytes}, whichever is larger; Kafka's default
   * 52428800) plus 32 KiB for the dead-letter headers. Then {@code overrides} apply.
   *
   * @param consumerProperties the properties the consumer is built from
   * @param overrides producer properties to set on top (e.g. {@code client.id}, {@code compression.type})
   * @return a new mutable map
   * @throws DedupException of kind {@code CONFIGURATION}, naming both properties, if {@code overrides} set
   *     {@code max.request.size} or {@code buffer.memory} below that
   */
  static Map<String, Object> deadLetterProducerProperties(Map<String, ?> consumerProperties,
      Map<String, ?> overrides) {
    return DeadLetterProducerSettings.of(consumerProperties, overrides);
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
    return (record, reason) -> LoggerFactory.getLogger(EngineLoggers.RECOVERER)
        .error("dead-lettered (logged only): {}", reason.getMessage(), reason.getCause());
  }
}
