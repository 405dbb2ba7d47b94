package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.outbox.DeadLetters;
import io.github.kafkadedup.testsupport.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 24: sequences stay in order across SIGKILLs. Sequences of updates with a few poison records at random
 * positions are consumed by a group of services SIGKILLed at random points: every sequence is applied in order up
 * to its first poison record and nothing of it after (parked), every other sequence completely; then the handler
 * is fixed and every head replayed at once: each sequence's updates are applied exactly once and in order.
 */
class SequencingCrashIT {
  private static final int SEQUENCES = 40;
  private static final int UPDATES = 10;
  static EngineFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("sequencing_crash");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  private ChildJvm child(String topic, String group, String mode) {
    return ChildJvm.builder(DeadLetterServiceMain.class).name("sequenced-service-" + mode)
        .args(fx.kafka.bootstrapServers(), fx.db.jdbcUrl(), fx.db.user(), fx.db.password(), topic, group, mode)
        .start();
  }

  /** Update {@code n} (1-based) of each sequence, interleaved; {@code poison} holds "sequence/update" pairs. */
  private static void publish(String topic, Set<String> poison) {
    var producer = fx.bytesProducer();
    for (int n = 1; n <= UPDATES; n++) {
      for (int s = 0; s < SEQUENCES; s++) {
        String value = (poison.contains(s + "/" + n) ? "boom-" : "v-") + n;
        var r = new org.apache.kafka.clients.producer.ProducerRecord<>(topic,
            ("acct-" + s).getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        r.headers().add(KeyStrategy.DEFAULT_HEADER, (topic + "-" + s + "-" + n).getBytes(StandardCharsets.UTF_8));
        producer.send(r);
      }
    }
    producer.flush();
  }

  /** The updates applied to {@code sequence}, in the order they were applied, as "1,2,3". */
  private static String applied(String topic, int sequence) {
    return fx.string("SELECT coalesce(string_agg(substring(payload from '[0-9]+$'), ',' ORDER BY id), '') FROM "
        + "orders WHERE topic = '" + topic + "' AND order_key = 'acct-" + sequence + "'");
  }

  private static String upTo(int last) {
    StringBuilder b = new StringBuilder();
    for (int n = 1; n <= last; n++) {
      b.append(n == 1 ? "" : ",").append(n);
    }
    return b.toString();
  }

  @Test
  void sigkilledConsumersKeepEachSequenceInOrderAndABulkReplayCompletesThemExactlyOnce() throws Exception {
    long seed = System.nanoTime();
    System.out.println("sequencing sigkill seed=" + seed);
    Random random = new Random(seed);
    String topic = fx.kafka.createTopic("seq-kill", 3);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    Set<String> poison = new HashSet<>();
    int[] firstPoison = new int[SEQUENCES];
    while (poison.size() < SEQUENCES * UPDATES / 50) { // about 2 %
      int s = random.nextInt(SEQUENCES);
      int n = 1 + random.nextInt(UPDATES);
      poison.add(s + "/" + n);
      firstPoison[s] = firstPoison[s] == 0 ? n : Math.min(firstPoison[s], n);
    }
    publish(topic, poison);
    String group = "g-" + topic;
    int expected = 0;
    for (int s = 0; s < SEQUENCES; s++) {
      expected += firstPoison[s] == 0 ? UPDATES : firstPoison[s] - 1;
    }
    for (int k = 0; k < 3; k++) {
      ChildJvm victim = child(topic, group, "sequenced");
      long target = (long) expected * (k + 1) / 4;
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(random.nextInt(20) + 5)).until(() ->
          fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'") >= target);
      victim.kill();
    }
    int total = expected;
    try (ChildJvm survivor = child(topic, group, "sequenced")) {
      await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> {
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(total);
        assertThat(fx.count("SELECT count(*) FROM dead_letters WHERE scope = '" + group + "'"))
            .isEqualTo(SEQUENCES * UPDATES - total);
      });
    }
    for (int s = 0; s < SEQUENCES; s++) {
      assertThat(applied(topic, s)).as("sequence %d, first poison at %d", s, firstPoison[s])
          .isEqualTo(upTo(firstPoison[s] == 0 ? UPDATES : firstPoison[s] - 1));
    }
    List<Long> heads = java.util.Arrays.stream(fx.string("SELECT string_agg(id::text, ',' ORDER BY id) FROM "
        + "dead_letters WHERE scope = '" + group + "' AND reason = 'handler_failed'").split(","))
        .map(Long::valueOf).toList();
    assertThat(heads).as("one head per poisoned sequence").hasSize((int) java.util.Arrays.stream(firstPoison)
        .filter(n -> n > 0).count());
    try (ChildJvm fixed = child(topic, group, "sequenced-fixed")) {
      DeadLetters.of(fx.db.dataSource()).replayAll(heads, "ops", "the handler is fixed");
      await().atMost(Duration.ofSeconds(180)).untilAsserted(() ->
          assertThat(fx.count("SELECT count(*) FROM parked_sequences WHERE source_topic = '" + topic + "'")).isZero());
    }
    for (int s = 0; s < SEQUENCES; s++) {
      assertThat(applied(topic, s)).as("sequence %d after the replay", s).isEqualTo(upTo(UPDATES));
    }
  }
}
