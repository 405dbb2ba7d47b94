package io.github.kafkadedup.reliability;

import io.github.kafkadedup.consumer.KeyStrategy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes a scenario's input: messages {@code m0, m1, ...}, each with its own idempotency key
 * ({@code <topic>-m<i>}) in the {@value KeyStrategy#DEFAULT_HEADER} header and an entity id as the record
 * key (many messages per entity, as on a real orders topic). After each message, with probability
 * {@code resendRate}, an earlier message is published again unchanged: an upstream retry, a new offset,
 * the same idempotency key. Poison messages carry a value the handler refuses
 * ({@link EffectsHandler#POISON_PREFIX}); they are never re-sent, so each must reach the dead-letter topic
 * exactly once. Everything derives from the seed.
 */
final class Publisher implements AutoCloseable {
  private final String topic;
  private final Producer<String, String> producer;
  private final Random random;
  private final double resendRate;
  private final double poisonRate;
  private final Set<String> poison = new HashSet<>();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private int next;
  private int resends;

  Publisher(String bootstrapServers, String topic, long seed, double resendRate, double poisonRate) {
    Map<String, Object> props = Consumers.producerProps(bootstrapServers);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000); // rides out a broker restart
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    this.topic = topic;
    this.random = new Random(seed);
    this.resendRate = resendRate;
    this.poisonRate = poisonRate;
  }

  /** Publishes the next {@code count} messages (and their re-sends) and waits for every ack. */
  synchronized Publisher publish(int count) {
    for (int n = 0; n < count; n++) {
      int i = next++;
      // at least one poison message early on whenever poison is asked for, so the DLT check always bites
      boolean isPoison = random.nextDouble() < poisonRate || (poisonRate > 0 && i == 7);
      if (isPoison) {
        poison.add(key(topic, i));
      }
      send(i, isPoison);
      if (i > 0 && random.nextDouble() < resendRate) {
        int j = random.nextInt(i);
        if (!poison.contains(key(topic, j))) {
          send(j, false);
          resends++;
        }
      }
    }
    producer.flush();
    if (failure.get() != null) {
      throw new AssertionError("publishing the scenario's input failed (broker trouble, not the consumer)",
          failure.get());
    }
    return this;
  }

  /**
   * Publishes {@code count} messages spread evenly over {@code duration} (in slices of 20 ms), so the
   * consumers always have work in flight when a fault hits.
   */
  void publishPaced(int count, Duration duration) {
    int slices = (int) Math.max(1, duration.toMillis() / 20);
    long start = System.nanoTime();
    int done = 0;
    for (int s = 1; s <= slices; s++) {
      int target = (int) ((long) count * s / slices);
      publish(target - done);
      done = target;
      LockSupport.parkNanos(start + duration.toNanos() * s / slices - System.nanoTime());
    }
  }

  /** Starts {@link #publishPaced} on a thread of its own. */
  Thread publishPacedInBackground(int count, Duration duration) {
    return Thread.ofPlatform().name("publisher-" + topic).start(() -> publishPaced(count, duration));
  }

  /** What was published so far. */
  synchronized Workload workload() {
    return new Workload(topic, next, resends, Set.copyOf(poison));
  }

  static String key(String topic, int i) {
    return topic + "-m" + i;
  }

  private void send(int i, boolean isPoison) {
    String value = (isPoison ? EffectsHandler.POISON_PREFIX : "") + "m" + i;
    ProducerRecord<String, String> r = new ProducerRecord<>(topic, "entity-" + (i % 50), value);
    r.headers().add(KeyStrategy.DEFAULT_HEADER, key(topic, i).getBytes(StandardCharsets.UTF_8));
    producer.send(r, (metadata, e) -> {
      if (e != null) {
        failure.compareAndSet(null, e);
      }
    });
  }

  @Override
  public void close() {
    producer.close();
  }
}
