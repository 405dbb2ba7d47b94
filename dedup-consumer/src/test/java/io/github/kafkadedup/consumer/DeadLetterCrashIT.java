package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.testsupport.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: dead letters through PostgreSQL survive crashes. A service halted right after the commit that
 * stored its dead letters (before any relay ran) leaves them to the next relay, which publishes each once; a
 * service SIGKILLed at random points dead-letters every poison record exactly once (one row each, with its
 * D claim) and applies every other record exactly once.
 */
class DeadLetterCrashIT {
  static EngineFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("dead_letter_crash");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  private ChildJvm child(String topic, String group, String mode) {
    return ChildJvm.builder(DeadLetterServiceMain.class).name("dead-letter-service-" + mode)
        .args(fx.kafka.bootstrapServers(), fx.db.jdbcUrl(), fx.db.user(), fx.db.password(), topic, group, mode)
        .start();
  }

  /** Records 0..n-1 with idempotency keys; every {@code poisonEvery}-th value starts with "boom". */
  private static void publish(String topic, int n, int poisonEvery) {
    var producer = fx.bytesProducer();
    for (int i = 0; i < n; i++) {
      String value = (i % poisonEvery == 0 ? "boom-" : "v-") + i;
      var r = new org.apache.kafka.clients.producer.ProducerRecord<>(topic,
          ("o" + i).getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
      r.headers().add(KeyStrategy.DEFAULT_HEADER, (topic + "-" + i).getBytes(StandardCharsets.UTF_8));
      producer.send(r);
    }
    producer.flush();
  }

  @Test
  void haltAfterTheDeadLetterCommitPublishesOnceThroughTheNextRelay() {
    String topic = fx.kafka.createTopic("dlq-halt", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    publish(topic, 50, 10); // poison at 0, 10, 20, 30, 40
    String group = "g-" + topic;
    try (ChildJvm first = child(topic, group, "halt-after-db-commit")) {
      String line = first.awaitLine("db-committed", Duration.ofSeconds(60));
      assertThat(first.waitFor(Duration.ofSeconds(30))).isEqualTo(137);
      assertThat(line).doesNotEndWith(" 0");
    }
    long stored = fx.count("SELECT count(*) FROM dead_letters WHERE scope = '" + group + "'");
    assertThat(stored).as("committed with their D claims before the halt").isPositive();
    assertThat(fx.count("SELECT count(*) FROM dead_letters WHERE scope = '" + group + "' AND state = 'pending'"))
        .isEqualTo(stored);
    try (ChildJvm second = child(topic, group, "loop")) {
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(45);
        assertThat(fx.count("SELECT count(*) FROM dead_letters WHERE scope = '" + group + "' AND state = 'published'"))
            .isEqualTo(5);
      });
    }
    assertThat(fx.readAll(topic + ".DLT", 5)).as("each published once").hasSize(5);
    assertThat(fx.count("SELECT count(*) FROM dead_letters WHERE scope = '" + group + "'")).isEqualTo(5);
  }

  @Test
  void sigkillAtRandomPointsDeadLettersEachPoisonRecordExactlyOnce() {
    long seed = System.nanoTime();
    System.out.println("dead-letter sigkill seed=" + seed);
    Random random = new Random(seed);
    String topic = fx.kafka.createTopic("dlq-kill", 3);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    int n = 2_000;
    int poisonEvery = 20;
    publish(topic, n, poisonEvery);
    String group = "g-" + topic;
    int kills = 3;
    for (int k = 0; k < kills; k++) {
      ChildJvm victim = child(topic, group, "loop");
      long target = (long) n * (k + 1) / (kills + 1) * (poisonEvery - 1) / poisonEvery;
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(random.nextInt(20) + 5)).until(() ->
          fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'") >= target);
      victim.kill();
    }
    int poison = n / poisonEvery;
    try (ChildJvm survivor = child(topic, group, "loop")) {
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
        assertThat(fx.count("SELECT count(DISTINCT order_key) FROM orders WHERE topic = '" + topic + "'"))
            .isEqualTo(n - poison);
        assertThat(fx.count("SELECT count(*) FROM dead_letters WHERE scope = '" + group + "' AND state = 'published'"))
            .isEqualTo(poison);
      });
    }
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).as("nothing doubled")
        .isEqualTo(n - poison);
    assertThat(fx.count("SELECT count(*) FROM dead_letters WHERE scope = '" + group + "'")).isEqualTo(poison);
    assertThat(fx.count("SELECT count(*) FROM dead_letters WHERE scope = '" + group + "' AND reason <> 'handler_failed'"))
        .isZero();
    assertThat(fx.count("SELECT count(*) FROM claims c JOIN dedup_scopes s USING (scope_id) WHERE s.scope = '" + group
        + "' AND c.status = 'D'")).isEqualTo(poison);
    List<ConsumerRecord<String, String>> dlt = fx.readAll(topic + ".DLT", poison);
    Map<String, Long> copies = dlt.stream().collect(Collectors.groupingBy(
        r -> new String(r.headers().lastHeader(Outbox.IDEMPOTENCY_KEY_HEADER).value(), StandardCharsets.UTF_8),
        Collectors.counting()));
    assertThat(copies).as("every poison record on the DLT").hasSize(poison);
    System.out.println("dead-letter sigkill: " + dlt.size() + " DLT records for " + poison + " dead letters ("
        + (dlt.size() - poison) + " re-published by a relay killed between Kafka's ack and the delete)");
  }
}
