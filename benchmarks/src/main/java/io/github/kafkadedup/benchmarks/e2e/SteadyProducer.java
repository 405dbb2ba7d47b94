package io.github.kafkadedup.benchmarks.e2e;

import io.github.kafkadedup.benchmarks.Records;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.producer.IdempotencyKeys;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import io.github.kafkadedup.testsupport.TestKafka;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A producer at a constant offered rate (the library's idempotent preset): record {@code i} is due at
 * {@code start + i / rate}; whatever is due is sent at once, each record carrying its <b>scheduled</b> time
 * in {@link Latencies#SENT_HEADER} (so a producer that falls behind does not hide the delay: no coordinated
 * omission) and a unique {@code idempotency-key} (random v4 or UUIDv7). Keys and values as in
 * {@link EndToEnd}.
 */
final class SteadyProducer implements AutoCloseable {
  private final KafkaProducer<String, String> producer;
  private final String topic;
  private final boolean uuidv7;
  private long seq;

  SteadyProducer(String topic, boolean uuidv7) {
    Map<String, Object> props = new HashMap<>(IdempotentProducerConfig.builder()
        .bootstrapServers(TestKafka.get().bootstrapServers()).build().toMap());
    props.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
    props.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    this.topic = topic;
    this.uuidv7 = uuidv7;
  }

  /** One record to each of {@code partitions} partitions, stamped now, flushed. */
  void prime(int partitions) {
    for (int p = 0; p < partitions; p++) {
      producer.send(record(p, Latencies.nowMicros()));
    }
    producer.flush();
  }

  /**
   * Sends at {@code rate} records/s for {@code seconds}.
   *
   * @return records sent
   */
  long run(int rate, int seconds) {
    long total = (long) rate * seconds;
    long startNanos = System.nanoTime();
    long startMicros = Latencies.nowMicros();
    long i = 0;
    while (i < total) {
      long now = System.nanoTime();
      long due = startNanos + (long) (i * 1e9 / rate);
      if (now < due) {
        LockSupport.parkNanos(Math.min(due - now, 1_000_000));
        continue;
      }
      while (i < total && startNanos + (long) (i * 1e9 / rate) <= now) {
        producer.send(record(null, startMicros + (long) (i * 1e6 / rate)));
        i++;
      }
    }
    producer.flush();
    return total;
  }

  private ProducerRecord<String, String> record(Integer partition, long sentMicros) {
    long n = seq++;
    String orderId = "order-" + (n % 100_000);
    ProducerRecord<String, String> r = new ProducerRecord<>(topic, partition, orderId, Records.value(orderId, n));
    String key = uuidv7 ? IdempotencyKeys.newKey().toString() : UUID.randomUUID().toString();
    r.headers().add(KeyStrategy.DEFAULT_HEADER, key.getBytes(StandardCharsets.UTF_8));
    r.headers().add(Latencies.SENT_HEADER, Long.toString(sentMicros).getBytes(StandardCharsets.US_ASCII));
    return r;
  }

  @Override
  public void close() {
    producer.close();
  }
}
