package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import io.github.kafkadedup.outbox.FailureGroup;
import io.github.kafkadedup.outbox.OutboxMetrics;
import io.github.kafkadedup.outbox.OutboxRelay;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 24, dead letters in order: with sequencing, a dead-lettered record parks its sequence (the record key),
 * later records of it are parked behind it while other sequences flow; replaying the head applies the sequence in
 * order, each record once, with records arriving during the replay queued behind it; discarding the head
 * releases its followers in order or discards them with it; a new owner of the partition knows what is parked.
 * Real PostgreSQL and Kafka.
 */
class SequencingIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  static EngineFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("sequencing");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  private static DedupConsumer<String, String> consumer(String topic, AtomicBoolean broken) {
    RecordHandler<String, String> handler = (record, tx) -> {
      if (broken.get() && record.value().startsWith("boom")) {
        throw new IllegalStateException("cannot apply update " + record.offset() + " of " + record.key());
      }
      EngineFixture.insertOrder().handle(record, tx);
    };
    return fx.start(DedupConsumer.builder(fx.kafka.consumerProps("g-" + topic), new StringDeserializer(),
            new StringDeserializer(), fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(handler)
        .sequencing(Sequencing.byRecordKey())
        .recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer())).build());
  }

  private static String applied(String topic, String sequence) {
    return fx.string("SELECT coalesce(string_agg(payload, ',' ORDER BY id), '') FROM orders WHERE topic = '" + topic
        + "' AND order_key = '" + sequence + "'");
  }

  private static String deadLetters(String topic) {
    return fx.string("SELECT coalesce(string_agg(convert_from(record_value, 'UTF8') || ':' || state || ':' || reason,"
        + " ',' ORDER BY id), '') FROM dead_letters WHERE source_topic = '" + topic + "'");
  }

  private static long parkedSequences(String topic) {
    return fx.count("SELECT count(*) FROM parked_sequences WHERE source_topic = '" + topic + "'");
  }

  private static void send(Producer<byte[], byte[]> producer, String topic, String sequence, String value) {
    DeadLetterTableIT.send(producer, topic, sequence, value, "u-" + value);
  }

  private static long head(String topic) {
    return fx.count("SELECT id FROM dead_letters WHERE source_topic = '" + topic + "' AND reason = 'handler_failed'"
        + " ORDER BY id DESC LIMIT 1");
  }

  @Test
  void replayAppliesTheSequenceInOrderOnceAndRecordsArrivingDuringTheReplayWaitBehindIt() throws Exception {
    String topic = fx.kafka.createTopic("seq-replay", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    AtomicBoolean broken = new AtomicBoolean(true);
    var producer = fx.bytesProducer();
    for (String[] r : new String[][] {{"acct-1", "a1"}, {"acct-2", "b1"}, {"acct-1", "boom-a2"}, {"acct-2", "b2"},
        {"acct-1", "a3"}, {"acct-1", "a4"}, {"acct-2", "b3"}}) {
      send(producer, topic, r[0], r[1]);
    }
    consumer(topic, broken);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(applied(topic, "acct-2")).as("another sequence flows").isEqualTo("b1,b2,b3");
      assertThat(deadLetters(topic)).isEqualTo("boom-a2:pending:handler_failed,a3:parked:sequence_parked,"
          + "a4:parked:sequence_parked");
    });
    assertThat(applied(topic, "acct-1")).as("nothing of acct-1 after its dead letter").isEqualTo("a1");
    assertThat(parkedSequences(topic)).isEqualTo(1);
    send(producer, topic, "acct-1", "a5");
    await().atMost(WAIT).untilAsserted(() -> assertThat(deadLetters(topic)).endsWith("a5:parked:sequence_parked"));

    DeadLetters deadLetters = DeadLetters.of(fx.db.dataSource());
    long head = head(topic);
    List<DeadLetter> parked = deadLetters.list(DeadLetters.Query.builder().topic(topic)
        .state(DeadLetters.State.PARKED).build());
    assertThat(parked).extracting(DeadLetter::sequenceKey).containsOnly("acct-1");
    assertThatThrownBy(() -> deadLetters.replay(parked.get(0).id(), "alice", "out of order"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("replay or discard that one");
    broken.set(false);
    deadLetters.replay(head, "alice", "ledger fixed (INC-9)"); // the relay is not running yet: copies wait
    send(producer, topic, "acct-1", "a6"); // arrives during the replay: queued behind it
    await().atMost(WAIT).untilAsserted(() -> assertThat(deadLetters(topic)).endsWith("a6:replayed:sequence_parked"));
    assertThat(applied(topic, "acct-1")).isEqualTo("a1");
    try (OutboxRelay relay = fx.relay("seq-relay", OutboxMetrics.none())) {
      await().atMost(WAIT).untilAsserted(() -> assertThat(parkedSequences(topic)).isZero());
      assertThat(applied(topic, "acct-1")).isEqualTo("a1,boom-a2,a3,a4,a5,a6");
      send(producer, topic, "acct-1", "a7"); // released: flows again
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(applied(topic, "acct-1")).isEqualTo("a1,boom-a2,a3,a4,a5,a6,a7"));
    }
    assertThat(fx.count("SELECT count(*) FROM dedup_audit WHERE action = 'dead-letter-replay' AND scope = 'g-"
        + topic + "'")).as("the head and each parked record audited").isEqualTo(4);
    assertThat(fx.count("SELECT count(*) FROM dead_letters WHERE source_topic = '" + topic
        + "' AND state = 'replayed' AND replay_applied_at IS NOT NULL")).isEqualTo(5);
    List<FailureGroup> groups = deadLetters.groups(DeadLetters.Query.builder().topic(topic).build());
    assertThat(groups).extracting(FailureGroup::reason)
        .containsExactly(DeadLetters.Reason.SEQUENCE_PARKED, DeadLetters.Reason.HANDLER_FAILED);
    assertThat(groups.get(0).count()).isEqualTo(4);
  }

  @Test
  void discardingTheHeadReleasesItsFollowersInOrderOrDiscardsThemWithIt() throws Exception {
    String topic = fx.kafka.createTopic("seq-discard", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    var producer = fx.bytesProducer();
    for (String[] r : new String[][] {{"acct-1", "boom-x1"}, {"acct-2", "boom-y1"}, {"acct-1", "x2"},
        {"acct-2", "y2"}, {"acct-1", "x3"}, {"acct-2", "y3"}}) {
      send(producer, topic, r[0], r[1]);
    }
    consumer(topic, new AtomicBoolean(true));
    await().atMost(WAIT).untilAsserted(() -> assertThat(fx.count("SELECT count(*) FROM dead_letters WHERE "
        + "source_topic = '" + topic + "' AND state = 'parked'")).isEqualTo(4));
    DeadLetters deadLetters = DeadLetters.of(fx.db.dataSource());
    long head1 = fx.count("SELECT id FROM dead_letters WHERE source_topic = '" + topic + "' AND sequence_key = "
        + "'acct-1' AND reason = 'handler_failed'");
    long head2 = fx.count("SELECT id FROM dead_letters WHERE source_topic = '" + topic + "' AND sequence_key = "
        + "'acct-2' AND reason = 'handler_failed'");
    assertThatThrownBy(() -> deadLetters.discard(head1, "bob", "bad update"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("2 record(s) parked behind it");
    try (OutboxRelay relay = fx.relay("seq-discard-relay", OutboxMetrics.none())) {
      deadLetters.discard(head1, "bob", "x1 was a bad update", DeadLetters.Followers.RELEASE);
      deadLetters.discard(head2, "bob", "account 2 closed", DeadLetters.Followers.DISCARD);
      await().atMost(WAIT).untilAsserted(() -> assertThat(applied(topic, "acct-1")).isEqualTo("x2,x3"));
      assertThat(applied(topic, "acct-2")).isEmpty();
      send(producer, topic, "acct-2", "y4");
      await().atMost(WAIT).untilAsserted(() -> assertThat(applied(topic, "acct-2")).isEqualTo("y4"));
      await().atMost(WAIT).untilAsserted(() -> assertThat(parkedSequences(topic)).isZero());
    }
    assertThat(fx.string("SELECT string_agg(convert_from(record_value, 'UTF8') || ':' || state, ',' ORDER BY id) "
        + "FROM dead_letters WHERE source_topic = '" + topic + "'"))
        .isEqualTo("boom-x1:discarded,boom-y1:discarded,x2:replayed,y2:discarded,x3:replayed,y3:discarded");
    assertThat(fx.string("SELECT string_agg(action, ',' ORDER BY id) FROM dedup_audit WHERE scope = 'g-" + topic
        + "'")).as("the followers' rows, then the head's, per operation").isEqualTo("dead-letter-replay,"
        + "dead-letter-replay,dead-letter-discard,dead-letter-discard,dead-letter-discard,dead-letter-discard");
  }

  @Test
  void aNewOwnerOfThePartitionKnowsWhatIsParked() throws Exception {
    String topic = fx.kafka.createTopic("seq-owner", 2);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    var producer = fx.bytesProducer();
    send(producer, topic, "acct-1", "boom-z1");
    send(producer, topic, "acct-1", "z2");
    DedupConsumer<String, String> first = consumer(topic, new AtomicBoolean(true));
    await().atMost(WAIT).untilAsserted(() -> assertThat(parkedSequences(topic)).isEqualTo(1));
    await().atMost(WAIT).untilAsserted(() -> assertThat(deadLetters(topic)).endsWith("z2:parked:sequence_parked"));
    first.close();
    consumer(topic, new AtomicBoolean(true)); // a new owner, which never saw the dead letter
    send(producer, topic, "acct-1", "z3");
    send(producer, topic, "acct-9", "w1");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(applied(topic, "acct-9")).isEqualTo("w1");
      assertThat(deadLetters(topic)).endsWith("z3:parked:sequence_parked");
    });
    assertThat(applied(topic, "acct-1")).isEmpty();
  }

  @Test
  void aRedeliveredBatchParksNothingTwiceAndAResendOfAProcessedKeyStaysProcessed() {
    String topic = fx.kafka.createTopic("seq-redelivery", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of()); // the relay of another test publishes its head's copy
    DedupProcessor<String, String> processor = DedupProcessor.<String, String>builder(fx.db.dataSource())
        .config(DedupConfig.builder().scope("g-" + topic).build()).keyStrategy(KeyStrategy.header())
        .recordHandler(DeadLetterTableIT.POISONED).sequencing(Sequencing.byRecordKey())
        .recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer())).build();
    var done = record(topic, 0, "acct-1", "v0", "k-0");
    var poison = record(topic, 1, "acct-1", "boom-1", "k-1");
    var next = record(topic, 2, "acct-1", "v2", "k-2");
    var resendOfDone = record(topic, 3, "acct-1", "v0-again", "k-0");
    for (int round = 0; round < 2; round++) {
      processor.process(List.of(done, poison, next, resendOfDone));
    }
    assertThat(applied(topic, "acct-1")).isEqualTo("v0");
    assertThat(deadLetters(topic)).isEqualTo("boom-1:pending:handler_failed,v2:parked:sequence_parked");
    assertThat(fx.string("SELECT string_agg(c.status, ',' ORDER BY c.kafka_offset) FROM claims c JOIN dedup_scopes s"
        + " USING (scope_id) WHERE s.scope = 'g-" + topic + "'")).as("k-0 stays P").isEqualTo("P,D,D");
  }

  private static ConsumerRecord<String, String> record(String topic, long offset, String key, String value,
      String idempotencyKey) {
    var r = new ConsumerRecord<>(topic, 0, offset, key, value);
    r.headers().add(KeyStrategy.DEFAULT_HEADER, idempotencyKey.getBytes(StandardCharsets.UTF_8));
    return r;
  }
}
