package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.Recoverer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;

/** Publishes a record that cannot be processed to its dead-letter topic and waits for the ack. */
public final class DeadLetterPublisher<K, V> implements Recoverer<K, V> {
  private final Producer<byte[], byte[]> producer;
  private final Serializer<? super K> keySerializer;
  private final Serializer<? super V> valueSerializer;
  private final Function<ConsumerRecord<?, ?>, String> topic;
  private final Duration timeout;

  /**
   * @param producer the byte[] producer
   * @param keySerializer key back to bytes
   * @param valueSerializer value back to bytes
   * @param topic the dead-letter topic of a record
   * @param timeout how long to wait for the broker's ack
   */
  public DeadLetterPublisher(Producer<byte[], byte[]> producer, Serializer<? super K> keySerializer,
      Serializer<? super V> valueSerializer, Function<ConsumerRecord<?, ?>, String> topic, Duration timeout) {
    this.producer = producer;
    this.keySerializer = keySerializer;
    this.valueSerializer = valueSerializer;
    this.topic = topic;
    this.timeout = timeout;
  }

  @Override
  public void recover(ConsumerRecord<K, V> record, DedupException reason) throws Exception {
    Headers headers = new RecordHeaders(record.headers().toArray());
    put(headers, "dedup-dlt-kind", reason.kind().name());
    put(headers, "dedup-dlt-reason", String.valueOf(reason.getMessage()));
    Throwable cause = reason.getCause() != null ? reason.getCause() : reason;
    put(headers, "dedup-dlt-exception", cause.getClass().getName());
    put(headers, "dedup-dlt-original-topic", record.topic());
    put(headers, "dedup-dlt-original-partition", Integer.toString(record.partition()));
    put(headers, "dedup-dlt-original-offset", Long.toString(record.offset()));
    String target = topic.apply(record);
    byte[] key = record.key() == null ? null : keySerializer.serialize(record.topic(), headers, record.key());
    byte[] value = record.value() == null ? null
        : valueSerializer.serialize(record.topic(), headers, record.value());
    if (reason.getCause() instanceof RecordDeserializationException raw) {
      key = bytes(raw.keyBuffer()); // the deserializer failed: publish the original bytes
      value = bytes(raw.valueBuffer());
    }
    producer.send(new ProducerRecord<>(target, null, record.timestamp(), key, value, headers))
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static byte[] bytes(java.nio.ByteBuffer buffer) {
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
