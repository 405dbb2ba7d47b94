package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sizes the dead-letter producer from the consumer's limits, so that a record the consumer can receive can
 * be sent back with our headers, and refuses an explicit size that cannot.
 */
public final class DeadLetterProducerSettings {
  /** Room for our {@code dedup-dlt-*} headers (each value at most 4096 characters). */
  static final int HEADER_OVERHEAD = 32 * 1024;
  private static final long KAFKA_DEFAULT_BUFFER_MEMORY = 32L * 1024 * 1024;

  private DeadLetterProducerSettings() {}

  /**
   * Producer properties for the dead-letter producer of a consumer built from {@code consumer}.
   *
   * @throws DedupException of kind CONFIGURATION if {@code overrides} set {@code max.request.size} or
   *     {@code buffer.memory} below what the consumer can hand over
   */
  public static Map<String, Object> of(Map<String, ?> consumer, Map<String, ?> overrides) {
    Map<String, Object> props = new HashMap<>();
    consumer.forEach((name, value) -> {
      if (name.equals(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) || name.equals("client.dns.lookup")
          || name.startsWith("security.") || name.startsWith("ssl.") || name.startsWith("sasl.")) {
        props.put(name, value);
      }
    });
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    long largest = largestRecord(consumer);
    long required = largest + HEADER_OVERHEAD;
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) Math.min(Integer.MAX_VALUE, required));
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(KAFKA_DEFAULT_BUFFER_MEMORY, required));
    props.putAll(overrides);
    check(props, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, required, largest);
    check(props, ProducerConfig.BUFFER_MEMORY_CONFIG, required, largest);
    return props;
  }

  /**
   * The largest record the consumer asks for: {@code fetch.max.bytes} or {@code max.partition.fetch.bytes},
   * whichever is larger (Kafka's defaults: 52428800 and 1048576).
   */
  static long largestRecord(Map<String, ?> consumer) {
    return Math.max(longValue(consumer, ConsumerConfig.FETCH_MAX_BYTES_CONFIG, ConsumerConfig.DEFAULT_FETCH_MAX_BYTES),
        longValue(consumer, ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
            ConsumerConfig.DEFAULT_MAX_PARTITION_FETCH_BYTES));
  }

  private static void check(Map<String, Object> props, String name, long required, long largest) {
    long value = longValue(props, name, 0);
    if (value < required) {
      throw DedupException.configuration("dead-letter producer " + name + "=" + value + " is less than the "
          + "largest record the consumer can receive (fetch.max.bytes / max.partition.fetch.bytes = " + largest
          + ") plus " + HEADER_OVERHEAD + " bytes of dead-letter headers: such a record could never be "
          + "dead-lettered whole. Remove " + name + " from the overrides, set it to at least " + required
          + ", or lower the consumer's fetch.max.bytes and max.partition.fetch.bytes");
    }
  }

  private static long longValue(Map<String, ?> props, String name, long fallback) {
    Object value = props.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw DedupException.configuration(name + "=" + value + " is not a number of bytes");
    }
  }
}
