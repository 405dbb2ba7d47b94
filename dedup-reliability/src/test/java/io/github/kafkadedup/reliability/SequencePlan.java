package io.github.kafkadedup.reliability;

import io.github.kafkadedup.consumer.KeyStrategy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The input of {@link SequencingScenarioIT}: {@code sequences} sequences (record keys {@code acct-<s>}) of
 * {@code updates} updates each, and which updates are poison ("sequence/update" pairs, 2 % drawn from the seed),
 * with each sequence's first poison update (0: none).
 */
record SequencePlan(int sequences, int updates, Set<String> poison, int[] firstPoison) {

  /** Draws 2 % of all updates as poison, at random positions. */
  static SequencePlan draw(Random random, int sequences, int updates) {
    Set<String> poison = new HashSet<>();
    int[] first = new int[sequences];
    while (poison.size() < sequences * updates / 50) {
      int s = random.nextInt(sequences);
      int n = 1 + random.nextInt(updates);
      poison.add(s + "/" + n);
      first[s] = first[s] == 0 ? n : Math.min(first[s], n);
    }
    return new SequencePlan(sequences, updates, poison, first);
  }

  /** The counter sequence {@code s} must reach before the replay: the update before its first poison. */
  int beforeReplay(int s) {
    return firstPoison[s] == 0 ? updates : firstPoison[s] - 1;
  }

  /** Sequences with at least one poison update: the ones that must be parked. */
  int poisoned() {
    return (int) Arrays.stream(firstPoison).filter(n -> n > 0).count();
  }

  /** Updates applied before the replay, over all sequences. */
  int appliedBeforeReplay() {
    int sum = 0;
    for (int s = 0; s < sequences; s++) {
      sum += beforeReplay(s);
    }
    return sum;
  }

  /**
   * Publishes update {@code n} of every sequence, round by round ({@code pace} in all), value {@code <n>} or
   * {@code poison:<n>}, each with its own idempotency key {@code <topic>-<s>-<n>}.
   */
  void publish(String bootstrapServers, String topic, Duration pace) {
    Map<String, Object> props = Consumers.producerProps(bootstrapServers);
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      for (int n = 1; n <= updates; n++) {
        for (int s = 0; s < sequences; s++) {
          String value = (poison.contains(s + "/" + n) ? EffectsHandler.POISON_PREFIX : "") + n;
          ProducerRecord<String, String> r = new ProducerRecord<>(topic, "acct-" + s, value);
          r.headers().add(KeyStrategy.DEFAULT_HEADER, (topic + "-" + s + "-" + n).getBytes(StandardCharsets.UTF_8));
          producer.send(r);
        }
        producer.flush();
        try {
          Thread.sleep(pace.toMillis() / updates);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
