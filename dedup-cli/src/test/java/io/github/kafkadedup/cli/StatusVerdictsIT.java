package io.github.kafkadedup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestKafka;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code status} answers "is it stuck?" for a real consumer group committing its offsets to a real broker:
 * a {@link DedupConsumer} (heartbeat every second) runs, then hangs in its handler, then stops; {@code status}
 * says OK, STUCK (or LAGGING, by the thresholds), then NO CONSUMERS, with the lag per partition, the member and
 * its host, and the heartbeat. {@code lookup} shows the claim's time bounds and the key's dead letters, also
 * once the claim is gone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusVerdictsIT {
  static final String GROUP = "orders-svc";
  /** Sized for a machine at load 20: a consumer joining its group can take a minute there. */
  static final Duration WAIT = Duration.ofSeconds(180);

  static TestDatabase db;
  static Map<String, String> env;
  static String topic;
  static final CountDownLatch release = new CountDownLatch(1);
  static DedupConsumer<String, String> consumer;
  static Thread loop;

  @BeforeAll
  static void startAConsumerGroup() throws Exception {
    db = TestPostgres.get().createDatabase("cli_status");
    TestKafka kafka = TestKafka.get();
    env = new HashMap<>(CliRun.env(db.jdbcUrl(), db.user(), db.password()));
    env.put("DEDUP_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
    assertThat(CliRun.run(env, "migrate").code()).isZero();
    topic = kafka.createTopic("orders", 2);
    for (int i = 1; i <= 8; i++) {
      send("ok-" + i, "ok");
    }
    send("poison-1", "poison");
    consumer = DedupConsumer.builder(kafka.consumerProps(GROUP), new StringDeserializer(), new StringDeserializer(),
            db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).heartbeatInterval(Duration.ofSeconds(1))
        .recordHandler((record, tx) -> {
          if (record.value().equals("poison")) {
            throw new IllegalArgumentException("cannot parse order");
          }
          if (record.value().equals("block")) {
            release.await(); // a handler that hangs: the loop neither polls nor commits
          }
        })
        .recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer()))
        .build();
    loop = new Thread(consumer::run, "status-it-consumer");
    loop.setDaemon(true);
    loop.start();
    await("the heartbeat counts 9 records", () -> db.queryLong("SELECT coalesce(max(records), 0) FROM "
        + "dedup_heartbeats WHERE scope = '" + GROUP + "'") >= 9);
  }

  @AfterAll
  static void stop() throws Exception {
    release.countDown();
    if (consumer != null) {
      consumer.close();
    }
    if (db != null) {
      db.close();
    }
  }

  static void send(String key, String value) {
    try (KafkaProducer<String, String> p = new KafkaProducer<>(TestKafka.get().producerProps())) {
      ProducerRecord<String, String> r = new ProducerRecord<>(topic, 0, "order", value);
      r.headers().add(KeyStrategy.DEFAULT_HEADER, key.getBytes(StandardCharsets.UTF_8));
      p.send(r);
    }
  }

  /** Runs status until {@code done} holds for its output (a group's state settles in seconds) or WAIT passed. */
  static CliRun statusUntil(Predicate<CliRun> done, String... options) throws InterruptedException {
    String[] args = new String[options.length + 1];
    args[0] = "status";
    System.arraycopy(options, 0, args, 1, options.length);
    Instant deadline = Instant.now().plus(WAIT);
    CliRun r = CliRun.run(env, args);
    while (!done.test(r) && Instant.now().isBefore(deadline)) {
      Thread.sleep(1_000);
      r = CliRun.run(env, args);
    }
    return r;
  }

  static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(WAIT);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      Thread.sleep(200);
    }
  }

  @Test
  @Order(1)
  void aConsumerKeepingUpIsOkWithItsLagPerPartitionMemberHostAndHeartbeat() throws Exception {
    CliRun r = statusUntil(s -> s.out().matches("(?s).*\\n" + GROUP + " +OK +0 +1 .*"));
    System.out.println("--- status of a consumer keeping up\n" + r.out());
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).startsWith("kafka-dedup status: database " + db.name() + " on ")
        .contains(", schema public, role " + db.user() + ", schema version 8")
        .contains("Verdicts (LAGGING: lag > 1000 (--lag-threshold); STUCK: lag > 0 and no batch completed for 5 min")
        .containsPattern(GROUP + " +OK +0 +1 +\\d+ s ago +\\d+ s ago +lag 0, last batch \\d+ s ago")
        .contains("Lag per partition")
        .containsPattern(GROUP + " +" + topic + " +0 +9 +9 +0 +\\S+ +\\S+ +\\S+")
        .containsPattern(GROUP + " +\\S+/\\d+#\\d+ +running +\\d+ s ago +\\d+ s ago +9 ");
    CliRun json = CliRun.run(env, "status", "--json");
    assertThat(json.out()).contains("\"verdict\":\"OK\"").contains("\"members\":1")
        .contains("\"committedOffset\":9,\"endOffset\":9,\"lag\":0");
  }

  @Test
  @Order(2)
  void lookupShowsTheClaimsTimeBoundsAndTheKeysDeadLettersAlsoOnceTheClaimIsGone() {
    CliRun r = CliRun.run(env, "lookup", "--scope", GROUP, "--key", "poison-1");
    System.out.println("--- lookup of a dead-lettered key\n" + r.out());
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).startsWith("kafka-dedup lookup: database " + db.name() + " on ")
        .contains("FOUND  scope '" + GROUP + "', key 'poison-1'")
        .contains("state        dead-lettered (status D)")
        .containsPattern("claimed      between 20\\d\\d-\\d\\d-\\d\\dT[\\d:]+Z and now \\(the claim stores no time")
        .contains("first seen   partition 0@8")
        .contains("Dead letters of this key")
        .containsPattern("\\d+ +pending +handler_failed +20\\d\\d-[\\d-]+T[\\d:]+Z +" + topic
            + "-0@8 +\\S+ +IllegalArgumentException: cannot parse order");
    db.execute("DELETE FROM claims WHERE key_id = dedup_key_id('poison-1')"); // as if retention dropped it
    CliRun gone = CliRun.run(env, "lookup", "--scope", GROUP, "--key", "poison-1");
    System.out.println("--- lookup of a key whose claim is gone\n" + gone.out());
    assertThat(gone.code()).as("a pending dead letter is found: %s", gone).isZero();
    assertThat(gone.out()).contains("NOT CLAIMED  scope '" + GROUP + "', key 'poison-1'")
        .contains("but 1 dead letter").contains(" pending ").doesNotContain("NOT FOUND");
    assertThat(CliRun.run(env, "lookup", "--scope", GROUP, "--key", "poison-1", "--json").out())
        .contains("\"found\":true").contains("\"claims\":[]").contains("\"state\":\"pending\"");
  }

  @Test
  @Order(3)
  void aHandlerThatHangsWithRecordsWaitingIsStuckOrLaggingByTheThresholds() throws Exception {
    send("block-1", "block");
    for (int i = 1; i <= 3; i++) {
      send("late-" + i, "ok");
    }
    CliRun stuck = statusUntil(s -> s.out().contains(" STUCK "), "--stuck-after", "3");
    System.out.println("--- status of a consumer hanging in its handler\n" + stuck.out());
    assertThat(stuck.out()).containsPattern(GROUP + " +STUCK +4 +1 .*lag 4 and last batch \\d+ s ago \\(> 3 s\\)")
        .containsPattern(GROUP + " +" + topic + " +0 +9 +13 +4 ");
    CliRun lagging = CliRun.run(env, "status", "--stuck-after", "3600", "--lag-threshold", "2");
    assertThat(lagging.out()).containsPattern(GROUP + " +LAGGING +4 +1 .*lag 4 > 2");
  }

  @Test
  @Order(4)
  void aGroupWithoutMembersHasNoConsumersAndItsHeartbeatSaysStopped() throws Exception {
    release.countDown();
    consumer.close();
    loop.join(WAIT.toMillis());
    CliRun r = statusUntil(s -> s.out().contains("NO CONSUMERS"));
    System.out.println("--- status once the consumer stopped\n" + r.out());
    assertThat(r.out()).as("the records after the one that hung wait: lag 3")
        .containsPattern(GROUP + " +NO CONSUMERS +3 +0 .*group " + GROUP + " has no members; lag 3")
        .containsPattern(GROUP + " +\\S+ +stopped ");
  }

  @Test
  @Order(5)
  void statesAreColouredWhenAskedAndNeverWithNoColor() {
    Map<String, String> colour = new HashMap<>(env);
    colour.put("CLICOLOR_FORCE", "1");
    assertThat(CliRun.run(colour, "status").out()).contains("\u001b[31;1mNO CONSUMERS\u001b[0m");
    colour.put("NO_COLOR", "1");
    assertThat(CliRun.run(colour, "status").out()).doesNotContain("\u001b[");
    assertThat(CliRun.run(env, "status").out()).as("not a terminal").doesNotContain("\u001b[");
  }

  @Test
  @Order(6)
  void auditListsOperatorActionsWithFilters() {
    assertThat(CliRun.run(env, "forget", "--scope", GROUP, "--key", "ok-1", "--reason", "OPS-1 reprocess",
        "--operator", "alice").code()).isZero();
    assertThat(CliRun.run(env, "forget", "--scope", GROUP, "--key", "ok-2", "--reason", "OPS-2 reprocess",
        "--operator", "bob").code()).isZero();
    CliRun all = CliRun.run(env, "audit");
    System.out.println("--- audit\n" + all.out());
    assertThat(all.code()).as("%s", all).isZero();
    assertThat(all.out()).contains("2 actions").containsPattern("\\d+ +20[\\d-]+T[\\d:]+Z +forget +bob \\("
        + db.user() + "\\) +" + GROUP + " +ok-2 +P claim, generation 1, partition 0@1 +- +OPS-2 reprocess");
    assertThat(CliRun.run(env, "audit", "--operator", "alice").out()).contains("1 action\n").contains("ok-1")
        .doesNotContain("ok-2");
    assertThat(CliRun.run(env, "audit", "--key", "ok-2", "--json").out()).contains("\"count\":1")
        .contains("\"key\":\"ok-2\"").contains("\"reason\":\"OPS-2 reprocess\"");
    assertThat(CliRun.run(env, "audit", "--action", "dead-letter-replay").out()).contains("0 actions");
    assertThat(CliRun.run(env, "audit", "--since", "1h", "--scope", GROUP, "--limit", "1").out())
        .contains("The newest 1 action (--limit 1)").contains("ok-2");
    CliRun bad = CliRun.run(env, "audit", "--since", "yesterday");
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("--since must be an age (30m, 24h, 7d) or an instant");
  }
}
