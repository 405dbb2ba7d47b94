package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.testsupport.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Consumers in child JVMs killed with SIGKILL (or halted right after the DB commit): still exactly once. */
class ConsumerCrashIT {
  static EngineFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("crash");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  private ChildJvm child(String topic, String group, String mode) {
    return ChildJvm.builder(OrderConsumerMain.class).name("order-consumer-" + mode)
        .args(fx.kafka.bootstrapServers(), fx.db.jdbcUrl(), fx.db.user(), fx.db.password(), topic, group, mode)
        .start();
  }

  /** Publishes {@code unique} orders o0..o(n-1) plus about {@code resends} re-sends of random earlier ones. */
  private static void publish(String topic, int unique, int resends, long seed) {
    Random random = new Random(seed);
    var producer = fx.producer();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (int i = 0; i < unique; i++) {
      sent.add(producer.send(order(topic, i, "v" + i)));
      if (i > 0 && random.nextInt(unique) < resends) {
        int j = random.nextInt(i);
        sent.add(producer.send(order(topic, j, "resend-" + j)));
      }
    }
    producer.flush();
    for (Future<RecordMetadata> f : sent) {
      try {
        f.get();
      } catch (Exception e) {
        throw new AssertionError("publishing the test input failed (broker trouble, not the consumer)", e);
      }
    }
  }

  private static ProducerRecord<String, String> order(String topic, int n, String value) {
    ProducerRecord<String, String> r = new ProducerRecord<>(topic, "o" + n, value);
    r.headers().add(KeyStrategy.DEFAULT_HEADER, (topic + "-o" + n).getBytes(StandardCharsets.UTF_8));
    return r;
  }

  private void assertExactlyOnce(String topic, int unique) {
    assertThat(fx.count("SELECT count(DISTINCT order_key) FROM orders WHERE topic = '" + topic + "'"))
        .as("nothing lost").isEqualTo(unique);
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'"))
        .as("nothing doubled").isEqualTo(unique);
  }

  @Test
  void haltBetweenDatabaseCommitAndOffsetCommitAppliesNothingTwice() {
    String topic = fx.kafka.createTopic("halt", 1);
    publish(topic, 500, 0, 1);
    try (ChildJvm first = child(topic, "g-halt", "halt-after-db-commit")) {
      String line = first.awaitLine("db-committed", Duration.ofSeconds(60));
      assertThat(first.waitFor(Duration.ofSeconds(30))).isEqualTo(137);
      assertThat(line).doesNotEndWith(" 0");
    }
    long applied = fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'");
    assertThat(applied).as("the first batch was committed to PostgreSQL").isPositive();
    try (ChildJvm second = child(topic, "g-halt", "loop")) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(500));
      second.awaitLine(l -> l.contains("redeliveries") && !l.contains(" 0 redeliveries"), Duration.ofSeconds(30));
    }
    assertExactlyOnce(topic, 500);
  }

  @Test
  void sigkillAtRandomPointsLosesAndDoublesNothing() {
    long seed = System.nanoTime();
    System.out.println("sigkillAtRandomPoints seed=" + seed);
    Random random = new Random(seed);
    String topic = fx.kafka.createTopic("sigkill", 3);
    int unique = 5_000;
    publish(topic, unique, unique / 10, seed);
    int kills = 3;
    for (int k = 0; k < kills; k++) {
      ChildJvm victim = child(topic, "g-kill", "loop");
      long target = (long) unique * (k + 1) / (kills + 1);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(random.nextInt(20) + 5)).until(() ->
          fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'") >= target);
      victim.kill();
    }
    try (ChildJvm survivor = child(topic, "g-kill", "loop")) {
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
          assertThat(fx.count("SELECT count(DISTINCT order_key) FROM orders WHERE topic = '" + topic + "'"))
              .isEqualTo(unique));
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertExactlyOnce(topic, unique));
    }
  }
}
