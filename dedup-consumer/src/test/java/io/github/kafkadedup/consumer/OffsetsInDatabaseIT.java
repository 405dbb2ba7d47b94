package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.testsupport.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Offsets-in-PostgreSQL mode against the real broker and PostgreSQL: a crash, and a paused zombie. */
class OffsetsInDatabaseIT {
  static EngineFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("offsets");
    // every committed change of consumer_offsets, to prove that no write moved an offset backwards
    fx.db.execute("CREATE TABLE offsets_audit (id bigserial PRIMARY KEY, topic text, kafka_partition int, "
            + "old_next bigint, new_next bigint, old_generation bigint, new_generation bigint)",
        "CREATE FUNCTION audit_offsets() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            + "INSERT INTO offsets_audit (topic, kafka_partition, old_next, new_next, old_generation, new_generation) "
            + "VALUES (NEW.topic, NEW.kafka_partition, OLD.next_offset, NEW.next_offset, OLD.generation, "
            + "NEW.generation); RETURN NEW; END $$",
        "CREATE TRIGGER consumer_offsets_audit AFTER UPDATE ON consumer_offsets FOR EACH ROW "
            + "EXECUTE FUNCTION audit_offsets()");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  private static void publish(String topic, int from, int to) {
    var producer = fx.producer();
    for (int i = from; i < to; i++) {
      ProducerRecord<String, String> r = new ProducerRecord<>(topic, "o" + i, "v" + i);
      r.headers().add(KeyStrategy.DEFAULT_HEADER, (topic + "-" + i).getBytes(StandardCharsets.UTF_8));
      producer.send(r);
    }
    producer.flush();
  }

  /** Counts what the engine reports: processed, duplicates, fenced batches. */
  private static final class Counts implements DedupMetrics {
    final AtomicInteger processed = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();
    final AtomicInteger fenced = new AtomicInteger();

    @Override
    public void processed(String scope, int count) {
      processed.addAndGet(count);
    }

    @Override
    public void duplicates(String scope, DuplicateCause cause, int count) {
      duplicates.addAndGet(count);
    }

    @Override
    public void failure(String scope, String type) {
      if (type.equals("fenced")) {
        fenced.incrementAndGet();
      }
    }
  }

  private static DedupConsumer.Builder<String, String> consumer(String topic, Map<String, Object> props,
      Counts counts, RecordHandler<String, String> handler) {
    return DedupConsumer.builder(props, new StringDeserializer(), new StringDeserializer(), fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(handler).recoverer(fx.dlt())
        .config(DedupConfig.builder().metrics(counts).build())
        .offsetsInDatabase(true);
  }

  private static long committedInKafka(String group) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = fx.kafka.admin().listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    return committed.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
  }

  private static long storedOffsets(String topic) {
    return fx.count("SELECT coalesce(sum(next_offset), 0) FROM consumer_offsets WHERE topic = '" + topic + "'");
  }

  @Test
  void afterAKillBetweenTheDatabaseCommitAndTheKafkaCommitNothingIsProcessedOrEvenSeenAgain() throws Exception {
    String topic = fx.kafka.createTopic("offsets-crash", 2);
    String group = "g-" + topic;
    publish(topic, 0, 200);
    try (ChildJvm child = ChildJvm.builder(OffsetsCrashMain.class).name("offsets-crash")
        .args(fx.kafka.bootstrapServers(), fx.db.jdbcUrl(), fx.db.user(), fx.db.password(), topic, group, "200")
        .start()) {
      child.awaitLine("HANG-BEFORE-KAFKA-COMMIT", Duration.ofSeconds(90));
      child.kill();
    }
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(200);
    assertThat(storedOffsets(topic)).as("the database holds every partition's next offset").isEqualTo(200);
    assertThat(committedInKafka(group)).as("Kafka's committed offsets lag: a restart from them would redeliver")
        .isLessThan(200);

    Counts counts = new Counts();
    AtomicInteger handled = new AtomicInteger();
    RecordHandler<String, String> insert = EngineFixture.insertOrder();
    fx.start(consumer(topic, fx.kafka.consumerProps(group), counts, (record, tx) -> {
      insert.handle(record, tx);
      handled.incrementAndGet();
    }).build());
    publish(topic, 200, 220);

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(220));
    assertThat(handled).as("only the new records reached the handler").hasValue(20);
    assertThat(counts.duplicates).as("no record before the stored offsets was even polled again").hasValue(0);
    assertThat(fx.count("SELECT count(DISTINCT (kafka_partition, kafka_offset)) FROM orders WHERE topic = '"
        + topic + "'")).isEqualTo(220);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(committedInKafka(group)).as("offsets still reach Kafka, for lag tools").isEqualTo(220));
  }

  @Test
  void withoutKeyClaimsTheStoredOffsetsAloneStopRedelivery() throws Exception {
    String topic = fx.kafka.createTopic("offsets-only", 2);
    String group = "g-" + topic;
    publish(topic, 0, 100);
    Counts counts = new Counts();
    DedupConsumer<String, String> first = fx.start(consumer(topic, fx.kafka.consumerProps(group), counts,
        EngineFixture.insertOrder()).keyStrategy(KeyStrategy.none()).build());
    await().atMost(Duration.ofSeconds(60)).until(() -> storedOffsets(topic) == 100);
    first.close();
    assertThat(fx.count("SELECT count(*) FROM claims c JOIN dedup_scopes s USING (scope_id) WHERE s.scope = '" + group + "'"))
        .as("no key was claimed").isZero();
    // Kafka's committed offsets rewound to 0, as if every Kafka commit had been lost
    Map<TopicPartition, OffsetAndMetadata> zero = Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0),
        new TopicPartition(topic, 1), new OffsetAndMetadata(0));
    fx.kafka.admin().alterConsumerGroupOffsets(group, zero).all().get(30, TimeUnit.SECONDS);

    fx.start(consumer(topic, fx.kafka.consumerProps(group), counts, EngineFixture.insertOrder())
        .keyStrategy(KeyStrategy.none()).build());
    publish(topic, 100, 110);
    await().atMost(Duration.ofSeconds(60)).until(() -> storedOffsets(topic) == 110);
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(110);
    assertThat(counts.processed).hasValue(110);
  }

  @Test
  void keyStrategyNoneIsRefusedWithoutOffsetsInTheDatabase() {
    var builder = DedupConsumer.builder(fx.kafka.consumerProps("g-none"), new StringDeserializer(),
            new StringDeserializer(), fx.db.dataSource())
        .topics("t").keyStrategy(KeyStrategy.<String, String>none()).recordHandler(EngineFixture.insertOrder())
        .recoverer(Recoverer.logAndMarkDead());
    org.assertj.core.api.Assertions.assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("offsetsInDatabase(true)");
  }

  @Test
  void aPausedZombieCannotCommitNorMoveOffsetsBackwards() throws Exception {
    String topic = fx.kafka.createTopic("offsets-zombie", 1);
    String group = "g-" + topic;
    publish(topic, 0, 30);
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Counts zombieCounts = new Counts();
    Map<String, Object> zombieProps = fx.kafka.consumerProps(group);
    zombieProps.put("max.poll.records", 10);
    zombieProps.put("max.poll.interval.ms", 3000); // the group evicts it while it hangs in the handler
    fx.start(consumer(topic, zombieProps, zombieCounts, (record, tx) -> {
      insertAs("zombie", record, tx);
      if (record.value().equals("v15") && blocked.getCount() > 0) {
        blocked.countDown();
        release.await(60, TimeUnit.SECONDS); // a long GC pause, a stuck call: the transaction stays open
      }
    }).build());
    assertThat(blocked.await(60, TimeUnit.SECONDS)).isTrue();

    Map<String, Object> successorProps = fx.kafka.consumerProps(group);
    successorProps.put("max.poll.records", 10);
    successorProps.put("max.poll.interval.ms", 10_000);
    fx.start(consumer(topic, successorProps, new Counts(), (record, tx) -> insertAs("successor", record, tx)).build());
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(fx.count(
        "SELECT generation FROM consumer_offsets WHERE topic = '" + topic + "'")).isGreaterThanOrEqualTo(2));
    release.countDown();

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(30);
      assertThat(storedOffsets(topic)).isEqualTo(30);
    });
    assertThat(zombieCounts.fenced).as("the zombie tried to commit and was fenced").hasValueGreaterThan(0);
    assertThat(fx.count("SELECT count(DISTINCT kafka_offset) FROM orders WHERE topic = '" + topic + "'"))
        .isEqualTo(30);
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic
        + "' AND payload = 'successor' AND kafka_offset = 15"))
        .as("the zombie's write of offset 15 rolled back; the successor applied it").isEqualTo(1);
    assertThat(fx.count("SELECT count(*) FROM offsets_audit WHERE topic = '" + topic
        + "' AND new_next < old_next")).as("no committed write moved an offset backwards").isZero();
    assertThat(fx.count("SELECT count(*) FROM offsets_audit WHERE topic = '" + topic
        + "' AND new_generation = 1 AND new_next > 15")).as("the zombie's batch never committed").isZero();
  }

  @Test
  void partitionsStayPausedUntilOwnershipCanBeTakenInTheDatabase() throws Exception {
    String topic = fx.kafka.createTopic("offsets-no-owner", 2);
    String group = "g-" + topic;
    String role = "offsets_app_" + System.nanoTime();
    // a real failure of the ownership transaction: the role may claim keys and write orders, not offsets
    fx.db.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'app'",
        "GRANT USAGE ON SCHEMA public TO " + role,
        "GRANT SELECT, INSERT, UPDATE ON claims, orders TO " + role,
        "GRANT SELECT, INSERT ON dedup_scopes TO " + role,
        "GRANT SELECT ON dedup_generations TO " + role,
        "GRANT USAGE ON SEQUENCE orders_id_seq, offsets_audit_id_seq TO " + role,
        "GRANT INSERT ON offsets_audit TO " + role);
    publish(topic, 0, 50);
    Counts counts = new Counts();
    fx.start(DedupConsumer.builder(fx.kafka.consumerProps(group), new StringDeserializer(), new StringDeserializer(),
            fx.db.newDataSource(role, "app", 2))
        .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(EngineFixture.insertOrder())
        .recoverer(Recoverer.logAndMarkDead()).config(DedupConfig.builder().metrics(counts).build())
        .offsetsInDatabase(true).build());
    await().atMost(Duration.ofSeconds(60)).until(() -> !fx.kafka.admin().describeConsumerGroups(List.of(group))
        .all().get().get(group).members().stream().allMatch(m -> m.assignment().topicPartitions().isEmpty()));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isZero());

    fx.db.execute("GRANT SELECT, INSERT, UPDATE ON consumer_offsets TO " + role);

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(50);
      assertThat(storedOffsets(topic)).isEqualTo(50);
    });
    assertThat(counts.fenced).as("paused partitions never reached a transaction").hasValue(0);
    assertThat(counts.duplicates).hasValue(0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cooperative-sticky", "consumer-protocol"})
  void incrementalRebalancesTakeOverOnlyTheMovedPartitionsWithoutRedelivery(String protocol) {
    String topic = fx.kafka.createTopic("offsets-" + protocol, 4);
    String group = "g-" + topic;
    publish(topic, 0, 100);
    Counts first = new Counts();
    Counts second = new Counts();
    fx.start(consumer(topic, incremental(group, protocol), first, EngineFixture.insertOrder()).build());
    await().atMost(Duration.ofSeconds(60)).until(() -> first.processed.get() > 0);

    fx.start(consumer(topic, incremental(group, protocol), second, EngineFixture.insertOrder()).build());
    await().atMost(Duration.ofSeconds(60)).until(() -> fx.count(
        "SELECT max(generation) FROM consumer_offsets WHERE topic = '" + topic + "'") == 2);
    publish(topic, 100, 200);

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(200));
    assertThat(fx.count("SELECT count(DISTINCT order_key) FROM orders WHERE topic = '" + topic + "'"))
        .isEqualTo(200);
    assertThat(first.duplicates.get() + second.duplicates.get()).as("no record was polled twice").isZero();
    assertThat(second.processed).as("the second consumer took over partitions").hasValueGreaterThan(0);
    assertThat(fx.count("SELECT min(generation) FROM consumer_offsets WHERE topic = '" + topic + "'"))
        .as("partitions that stayed were not re-acquired").isEqualTo(1);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(storedOffsets(topic)).isEqualTo(200));
  }

  private static Map<String, Object> incremental(String group, String protocol) {
    Map<String, Object> props = fx.kafka.consumerProps(group);
    props.put("max.poll.records", 20);
    if (protocol.equals("consumer-protocol")) {
      props.put("group.protocol", "consumer");
    } else {
      props.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    }
    return props;
  }

  private static void insertAs(String who, org.apache.kafka.clients.consumer.ConsumerRecord<String, String> record,
      DedupContext tx) throws Exception {
    try (PreparedStatement ps = tx.connection().prepareStatement(
        "INSERT INTO orders (order_key, payload, topic, kafka_partition, kafka_offset) VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, record.key());
      ps.setString(2, who);
      ps.setString(3, record.topic());
      ps.setInt(4, record.partition());
      ps.setLong(5, record.offset());
      ps.executeUpdate();
    }
  }
}
