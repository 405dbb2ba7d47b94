package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.Recoverer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a record that cannot be processed to its dead-letter topic and waits for the ack. A copy that
 * can never be sent (see {@link ReducedDeadLetter}) is replaced by a reduced one, logged once at WARN and
 * counted; any other failure (broker down, timeout) is thrown, so the record is tried again.
 */
public final class DeadLetterPublisher<K, V> implements Recoverer<K, V> {
  /** Our headers' values are cut to this many characters, so their overhead stays bounded. */
  static final int MAX_HEADER_CHARS = 4096;
  private static final Logger log = LoggerFactory.getLogger(EngineLoggers.RECOVERER);

  private final Producer<byte[], byte[]> producer;
  private final Serializer<? super K> keySerializer;
  private final Serializer<? super V> valueSerializer;
  private final Function<ConsumerRecord<?, ?>, String> topic;
  private final Duration timeout;
  private final DedupMetrics metrics;
  private final String scope;

  /**
   * @param producer the byte[] producer
   * @param keySerializer key back to bytes
   * @param valueSerializer value back to bytes
   * @param topic the dead-letter topic of a record
   * @param timeout how long to wait for the broker's ack
   */
  public DeadLetterPublisher(Producer<byte[], byte[]> producer, Serializer<? super K> keySerializer,
      Serializer<? super V> valueSerializer, Function<ConsumerRecord<?, ?>, String> topic, Duration timeout) {
    this(producer, keySerializer, valueSerializer, topic, timeout, DedupMetrics.none(), "dead-letter");
  }

  private DeadLetterPublisher(Producer<byte[], byte[]> producer, Serializer<? super K> keySerializer,
      Serializer<? super V> valueSerializer, Function<ConsumerRecord<?, ?>, String> topic, Duration timeout,
      DedupMetrics metrics, String scope) {
    this.producer = producer;
    this.keySerializer = keySerializer;
    this.valueSerializer = valueSerializer;
    this.topic = topic;
    this.timeout = timeout;
    this.metrics = metrics;
    this.scope = scope;
  }

  /** {@code recoverer}, reporting reduced copies to {@code metrics} under {@code scope} if it publishes. */
  static <K, V> Recoverer<K, V> reporting(Recoverer<K, V> recoverer, DedupMetrics metrics, String scope) {
    return recoverer instanceof DeadLetterPublisher<K, V> p
        ? new DeadLetterPublisher<>(p.producer, p.keySerializer, p.valueSerializer, p.topic, p.timeout, metrics, scope)
        : recoverer;
  }

  @Override
  public void recover(ConsumerRecord<K, V> record, DedupException reason) throws Exception {
    Headers headers = deadLetterHeaders(record, reason);
    String target = topic.apply(record);
    ProducerRecord<byte[], byte[]> full = null;
    try {
      full = new ProducerRecord<>(target, null, record.timestamp(), keyBytes(record, headers, reason),
          valueBytes(record, headers, reason), headers);
      producer.send(full).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!ReducedDeadLetter.cannotEverBeSent(e.getCause())) {
        throw e;
      }
      sendReduced(record, full, headers, target, e.getCause());
    } catch (RuntimeException e) { // thrown before sending, e.g. by our serializers
      if (!ReducedDeadLetter.cannotEverBeSent(e)) {
        throw e;
      }
      sendReduced(record, full, headers, target, e);
    }
  }

  private void sendReduced(ConsumerRecord<K, V> record, @Nullable ProducerRecord<byte[], byte[]> full,
      Headers headers, String target, Throwable failure) throws Exception {
    producer.send(ReducedDeadLetter.of(record, full, headers, target, failure))
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    metrics.deadLetterReduced(scope, failure.getClass().getSimpleName());
    log.warn("[{}] the dead-letter copy of {} can never be sent ({}); published a reduced copy to {} instead, "
        + "without its value and headers over {} bytes (header dedup-dlt-reduced)", scope,
        RecordLog.where(record), failure.toString(), target, ReducedDeadLetter.KEEP_AT_MOST);
  }

  static Headers deadLetterHeaders(ConsumerRecord<?, ?> record, DedupException reason) {
    Headers headers = new RecordHeaders(record.headers().toArray());
    put(headers, "dedup-dlt-kind", reason.kind().name());
    put(headers, "dedup-dlt-reason", DeadLetterTable.reasonOf(reason.kind()).column()); // handler_failed, ...
    put(headers, "dedup-dlt-message", truncate(String.valueOf(reason.getMessage())));
    Throwable cause = reason.getCause() != null ? reason.getCause() : reason;
    put(headers, "dedup-dlt-exception", cause.getClass().getName());
    put(headers, "dedup-dlt-original-topic", record.topic());
    put(headers, "dedup-dlt-original-partition", Integer.toString(record.partition()));
    put(headers, "dedup-dlt-original-offset", Long.toString(record.offset()));
    return headers;
  }

  private byte @Nullable [] keyBytes(ConsumerRecord<K, V> record, Headers headers, DedupException reason) {
    if (reason.getCause() instanceof RecordDeserializationException raw) {
      return bytes(raw.keyBuffer()); // the deserializer failed: publish the original bytes
    }
    return record.key() == null ? null : keySerializer.serialize(record.topic(), headers, record.key());
  }

  private byte @Nullable [] valueBytes(ConsumerRecord<K, V> record, Headers headers, DedupException reason) {
    if (reason.getCause() instanceof RecordDeserializationException raw) {
      return bytes(raw.valueBuffer());
    }
    return record.value() == null ? null : valueSerializer.serialize(record.topic(), headers, record.value());
  }

  /** {@code value}, cut to {@value #MAX_HEADER_CHARS} characters. */
  static String truncate(String value) {
    return value.length() <= MAX_HEADER_CHARS ? value
        : value.substring(0, MAX_HEADER_CHARS - 40) + "...(" + value.length() + " chars)";
  }

  private static byte @Nullable [] bytes(@Nullable ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
