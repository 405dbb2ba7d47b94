package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import io.github.kafkadedup.outbox.OutboxMetrics;
import io.github.kafkadedup.outbox.OutboxRelay;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, the operations on dead letters ({@link DeadLetters}): list and show read what the engine stored;
 * replay puts the record back on its source topic and the consumer applies it exactly once; discard keeps the
 * {@code D} claim; both are recorded on the row and in {@code dedup_audit}; a re-send of a dead-lettered key
 * follows {@code deadLetteredReplay}.
 */
class DeadLettersIT {
  static EngineFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("dead_letters_ops");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  @Test
  void replayAppliesTheRecordOnceDiscardKeepsTheClaimAndBothAreAudited() throws Exception {
    String topic = fx.kafka.createTopic("dlq-ops", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    String scope = "g-" + topic;
    AtomicBoolean broken = new AtomicBoolean(true);
    RecordHandler<String, String> handler = (record, tx) -> {
      if (broken.get() && record.value().startsWith("boom")) {
        throw new IllegalStateException("price service down");
      }
      EngineFixture.insertOrder().handle(record, tx);
    };
    var producer = fx.bytesProducer();
    DeadLetterTableIT.send(producer, topic, "order-1", "boom-1", "r-1");
    DeadLetterTableIT.send(producer, topic, "order-2", "boom-2", "r-2");
    DeadLetterTableIT.send(producer, topic, "order-3", "v3", "r-3");
    fx.start(DedupConsumer.builder(fx.kafka.consumerProps(scope), new StringDeserializer(), new StringDeserializer(),
            fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(handler)
        .recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer())).build());
    DeadLetters deadLetters = DeadLetters.of(fx.db.dataSource());
    DeadLetters.Query ofScope = DeadLetters.Query.builder().scope(scope).build();
    try (OutboxRelay relay = fx.relay("ops-relay", OutboxMetrics.none())) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(deadLetters.list(
          DeadLetters.Query.builder().scope(scope).state(DeadLetters.State.PUBLISHED).build())).hasSize(2));
      List<DeadLetter> listed = deadLetters.list(ofScope);
      assertThat(listed).extracting(DeadLetter::key).containsExactly("r-1", "r-2");
      assertThat(listed).allSatisfy(d -> {
        assertThat(d.reason()).isEqualTo(DeadLetters.Reason.HANDLER_FAILED);
        assertThat(d.payload()).as("list reads no bytes").isNull();
        assertThat(d.exceptionMessage()).contains("price service down");
        assertThat(d.dltTopic()).isEqualTo(topic + ".DLT");
      });
      assertThat(deadLetters.list(DeadLetters.Query.builder().scope(scope).afterId(listed.get(0).id()).build()))
          .extracting(DeadLetter::key).containsExactly("r-2");
      DeadLetter first = deadLetters.show(listed.get(0).id()).orElseThrow();
      assertThat(new String(first.payload().value(), StandardCharsets.UTF_8)).isEqualTo("boom-1");
      assertThat(first.payload().headers()).extracting(h -> h.key()).containsExactly(KeyStrategy.DEFAULT_HEADER);
      assertThat(first.payload().stackTrace()).contains("IllegalStateException");
      assertThat(first.source()).isEqualTo(topic + "-0@0");

      broken.set(false);
      assertThatThrownBy(() -> deadLetters.replay(first.id(), "alice", " "))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reason must not be blank");
      DeadLetter replayed = deadLetters.replay(first.id(), "alice", "price service is back (INC-7)");
      assertThat(replayed.state()).isEqualTo(DeadLetters.State.REPLAYED);
      assertThat(replayed.lastAction().operator()).isEqualTo("alice");
      assertThat(replayed.lastAction().reason()).isEqualTo("price service is back (INC-7)");
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(fx.count(
          "SELECT count(*) FROM orders WHERE topic = '" + topic + "' AND payload = 'boom-1'")).isEqualTo(1));
      assertThatThrownBy(() -> deadLetters.replay(first.id(), "bob", "again"))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("is replayed");

      DeadLetter discarded = deadLetters.discard(listed.get(1).id(), null, "customer cancelled order-2");
      assertThat(discarded.state()).isEqualTo(DeadLetters.State.DISCARDED);
      assertThatThrownBy(() -> deadLetters.discard(999_999, null, "x")).isInstanceOf(NoSuchElementException.class);
    }
    // the replayed record re-entered once: a relay's re-publish of it would be a duplicate of its new claim
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(2);
    assertThat(claimStatus(scope, "r-1")).as("replayed: claimed again, processed").isEqualTo("P");
    assertThat(claimStatus(scope, "r-2")).as("discarded: the D claim stays").isEqualTo("D");
    assertThat(fx.string("SELECT string_agg(action || ':' || coalesce(operator, '-') || ':' || reason"
        + " || ':' || coalesce(removed_status, '-'), ',' ORDER BY id) FROM dedup_audit WHERE scope = '" + scope + "'"))
        .isEqualTo("dead-letter-replay:alice:price service is back (INC-7):D,"
            + "dead-letter-discard:-:customer cancelled order-2:-");
  }

  /**
   * Issue 22 item 3: a re-send of a poison key makes a second dead letter; replaying the first applies the key
   * (claim P); replaying the second then removed the P claim ("the D claim ... was removed", audit
   * removed_status = P) and the order was applied twice. A key is replayed once: the second is superseded.
   */
  @Test
  void replayingTheSecondDeadLetterOfAnAppliedKeyNeverAppliesItTwice() throws Exception {
    AtomicBoolean broken = new AtomicBoolean(true);
    String topic = poisonAndItsResend("dlq-twice", broken);
    String scope = "g-" + topic;
    DeadLetters deadLetters = DeadLetters.of(fx.db.dataSource());
    try (OutboxRelay relay = fx.relay("twice-relay", OutboxMetrics.none())) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(deadLetters.list(
          DeadLetters.Query.builder().scope(scope).state(DeadLetters.State.PUBLISHED).build())).hasSize(2));
      List<DeadLetter> rows = deadLetters.list(DeadLetters.Query.builder().scope(scope).build());
      broken.set(false);
      deadLetters.replay(rows.get(0).id(), "alice", "fixed the parser");
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(claimStatus(scope, "t-1")).isEqualTo("P"));
      try {
        deadLetters.replay(rows.get(1).id(), "bob", "the re-send too");
      } catch (IllegalStateException refused) {
        assertThat(refused).hasMessageContaining("superseded");
      }
      await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(fx.count(
          "SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).as("order-1 applied once").isEqualTo(1));
      assertThat(claimStatus(scope, "t-1")).isEqualTo("P");
      assertThat(deadLetters.show(rows.get(1).id()).orElseThrow().state()).isEqualTo(DeadLetters.State.SUPERSEDED);
    }
    assertThat(fx.string("SELECT string_agg(action || ':' || coalesce(removed_status, '-'), ',' ORDER BY action)"
        + " FROM dedup_audit WHERE scope = '" + scope + "'"))
        .isEqualTo("dead-letter-replay:D,dead-letter-superseded:-");
  }

  /**
   * A bulk replay of both dead letters of one key (a poison record and its re-send) replays the key once: the
   * first is replayed, the second superseded in the same transaction (not a refusal of the whole call), and the
   * dry run says the same without changing anything.
   */
  @Test
  void aBulkReplayOfTwoDeadLettersOfOneKeyAppliesItOnce() throws Exception {
    AtomicBoolean broken = new AtomicBoolean(true);
    String topic = poisonAndItsResend("dlq-bulk-twice", broken);
    String scope = "g-" + topic;
    DeadLetters deadLetters = DeadLetters.of(fx.db.dataSource());
    try (OutboxRelay relay = fx.relay("bulk-twice-relay", OutboxMetrics.none())) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(deadLetters.list(
          DeadLetters.Query.builder().scope(scope).state(DeadLetters.State.PUBLISHED).build())).hasSize(2));
      List<Long> ids = deadLetters.list(DeadLetters.Query.builder().scope(scope).build()).stream()
          .map(DeadLetter::id).toList();
      broken.set(false);

      List<DeadLetter> dry = deadLetters.replayAll(ids, "alice", "fixed the parser", true);
      assertThat(dry).extracting(DeadLetter::state)
          .containsExactly(DeadLetters.State.REPLAYED, DeadLetters.State.SUPERSEDED);
      assertThat(deadLetters.show(ids.get(0)).orElseThrow().state()).as("dry run").isEqualTo(
          DeadLetters.State.PUBLISHED);

      List<DeadLetter> done = deadLetters.replayAll(ids, "alice", "fixed the parser");
      assertThat(done).extracting(DeadLetter::state)
          .containsExactly(DeadLetters.State.REPLAYED, DeadLetters.State.SUPERSEDED);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(claimStatus(scope, "t-1")).isEqualTo("P"));
      await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(fx.count(
          "SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).as("order-1 applied once").isEqualTo(1));
    }
    assertThat(fx.string("SELECT string_agg(action || ':' || coalesce(removed_status, '-'), ',' ORDER BY action)"
        + " FROM dedup_audit WHERE scope = '" + scope + "'"))
        .isEqualTo("dead-letter-replay:D,dead-letter-superseded:-");
  }

  /**
   * Sends order-1 (key t-1) and a re-send of it to a new topic, consumed in scope "g-" + topic by a consumer whose
   * handler fails while {@code broken} and stores dead letters in the table: two dead letters of one key.
   */
  private String poisonAndItsResend(String name, AtomicBoolean broken) throws Exception {
    String topic = fx.kafka.createTopic(name, 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    var producer = fx.bytesProducer();
    DeadLetterTableIT.send(producer, topic, "order-1", "boom-1", "t-1");
    DeadLetterTableIT.send(producer, topic, "order-1", "boom-1", "t-1"); // a re-send of the key
    fx.start(DedupConsumer.builder(fx.kafka.consumerProps("g-" + topic), new StringDeserializer(),
            new StringDeserializer(), fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(failingWhile(broken))
        .recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer())).build());
    return topic;
  }

  /**
   * A dead letter whose key was applied since (forgotten, then a corrected re-send) is not replayed: its replay
   * (and the dry run, which says the same) supersedes it and sends nothing.
   */
  @Test
  void aDeadLetterWhoseKeyWasAppliedSinceIsSupersededNotReplayed() throws Exception {
    String topic = fx.kafka.createTopic("dlq-applied", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    String scope = "g-" + topic;
    AtomicBoolean broken = new AtomicBoolean(true);
    var producer = fx.bytesProducer();
    DeadLetterTableIT.send(producer, topic, "order-1", "boom-1", "u-1");
    fx.start(DedupConsumer.builder(fx.kafka.consumerProps(scope), new StringDeserializer(), new StringDeserializer(),
            fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(failingWhile(broken))
        .recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer())).build());
    DeadLetters deadLetters = DeadLetters.of(fx.db.dataSource());
    await().atMost(Duration.ofSeconds(60)).until(() -> claims(scope, "u-1", "D") == 1);
    long id = deadLetters.list(DeadLetters.Query.builder().scope(scope).build()).get(0).id();
    broken.set(false);
    fx.db.execute("DELETE FROM claims WHERE key_id = dedup_key_id('u-1')"); // as kafka-dedup forget does
    DeadLetterTableIT.send(producer, topic, "order-1", "boom-1 corrected", "u-1");
    await().atMost(Duration.ofSeconds(60)).until(() -> claims(scope, "u-1", "P") == 1);

    DeadLetters.ReplayResult dry = deadLetters.replay(id, "alice", "retry", true);
    DeadLetters.ReplayResult real = deadLetters.replay(id, "alice", "retry", false);
    for (DeadLetters.ReplayResult r : List.of(dry, real)) {
      assertThat(r.deadLetter().state()).isEqualTo(DeadLetters.State.SUPERSEDED);
      assertThat(r.sent()).isFalse();
      assertThat(r.removedClaimStatus()).isNull();
      assertThat(r.superseded()).containsExactly(id);
    }
    assertThat(fx.count("SELECT count(*) FROM outbox WHERE topic = '" + topic + "'")).isZero();
    assertThat(claimStatus(scope, "u-1")).isEqualTo("P");
    assertThat(fx.string("SELECT string_agg(action, ',') FROM dedup_audit WHERE scope = '" + scope + "'"))
        .as("the dry run recorded nothing").isEqualTo("dead-letter-superseded");
  }

  private static RecordHandler<String, String> failingWhile(AtomicBoolean broken) {
    return (record, tx) -> {
      if (broken.get() && record.value().startsWith("boom")) {
        throw new IllegalStateException("price service down");
      }
      EngineFixture.insertOrder().handle(record, tx);
    };
  }

  @Test
  void aResendOfADeadLetteredKeyFollowsDeadLetteredReplay() {
    String topic = fx.kafka.createTopic("dlq-resend", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    String scope = "g-" + topic;
    var producer = fx.bytesProducer();
    DeadLetterTableIT.send(producer, topic, "order-1", "boom-1", "s-1");
    DeadLetterTableIT.send(producer, topic, "order-1", "corrected", "s-1"); // a re-send of the key
    DeadLetterTableIT.send(producer, topic, "order-2", "v2", "s-2");
    fx.start(DedupConsumer.builder(fx.kafka.consumerProps(scope), new StringDeserializer(), new StringDeserializer(),
            fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(DeadLetterTableIT.POISONED)
        .recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer())).build());
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(1));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(fx.string(
        "SELECT string_agg(reason || '@' || source_offset, ',' ORDER BY source_offset) FROM dead_letters"
            + " WHERE scope = '" + scope + "'")).isEqualTo("handler_failed@0,dead_lettered_before@1"));
    assertThat(claimStatus(scope, "s-1")).isEqualTo("D");
  }

  private static long claims(String scope, String key, String status) {
    return fx.count("SELECT count(*) FROM claims c JOIN dedup_scopes s USING (scope_id) WHERE s.scope = '" + scope
        + "' AND c.key_id = dedup_key_id('" + key + "') AND c.status = '" + status + "'");
  }

  private static String claimStatus(String scope, String key) {
    return fx.string("SELECT c.status FROM claims c JOIN dedup_scopes s USING (scope_id)"
        + " WHERE s.scope = '" + scope + "' AND c.key_id = dedup_key_id('" + key + "')");
  }
}
