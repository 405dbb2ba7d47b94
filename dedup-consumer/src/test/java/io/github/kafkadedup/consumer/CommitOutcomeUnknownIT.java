package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.testsupport.PgFaultProxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The connection breaks after PostgreSQL committed a batch and before the client heard it (a fault proxy
 * cuts it right after the server's answer to {@code COMMIT}): in every mode each record takes effect
 * exactly once, and the offsets end where the records end.
 */
class CommitOutcomeUnknownIT {
  private static final int RECORDS = 10;
  static EngineFixture fx;
  PgFaultProxy proxy;
  DataSource proxied;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("commit_unknown");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  @BeforeEach
  void startProxy() {
    proxy = PgFaultProxy.inFrontOf(fx.db.jdbcUrl(), PgFaultProxy.Options.defaults());
    proxied = fx.db.newDataSourceVia(proxy, 4);
  }

  @AfterEach
  void stopProxy() {
    proxy.close();
  }

  /** The modes under test. */
  enum Mode {
    CLAIMS(true, false), OFFSETS_ONLY(false, true), CLAIMS_AND_OFFSETS(true, true);

    final boolean claims;
    final boolean offsets;

    Mode(boolean claims, boolean offsets) {
      this.claims = claims;
      this.offsets = offsets;
    }
  }

  private DedupConsumer<String, String> consumer(String topic, Mode mode, int maxAttempts,
      RecordHandler<String, String> handler) {
    return DedupConsumer.builder(fx.kafka.consumerProps("g-" + topic), new StringDeserializer(),
            new StringDeserializer(), proxied)
        .topics(topic)
        .keyStrategy(mode.claims ? KeyStrategy.header() : KeyStrategy.none())
        .offsetsInDatabase(mode.offsets)
        .recordHandler(handler)
        .recoverer(fx.dlt())
        .config(DedupConfig.builder().maxAttempts(maxAttempts)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).build())
        .build();
  }

  private static void publish(String topic, int count, String value) {
    var producer = fx.producer();
    for (int i = 0; i < count; i++) {
      EngineFixture.send(producer, topic, "o" + i, value, topic + "-" + i);
    }
  }

  private static long committedInKafka(String group) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = fx.kafka.admin().listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    return committed.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
  }

  /** How many records {@code topic} (one partition) holds: its end offset, read from the broker. */
  private static long recordsIn(String topic, org.apache.kafka.clients.admin.Admin admin) throws Exception {
    TopicPartition tp = new TopicPartition(topic, 0);
    return admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).partitionResult(tp)
        .get(30, TimeUnit.SECONDS).offset();
  }

  /** Every record applied exactly once, Kafka's (and the database's) offsets at the end of the topic. */
  private void assertExactlyOnce(String topic, Mode mode, int records) throws Exception {
    await().atMost(Duration.ofSeconds(60)).until(() -> committedInKafka("g-" + topic) == records);
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).as("effect rows")
        .isEqualTo(records);
    assertThat(fx.count("SELECT count(DISTINCT kafka_offset) FROM orders WHERE topic = '" + topic + "'"))
        .isEqualTo(records);
    if (mode.offsets) {
      assertThat(fx.count("SELECT next_offset FROM consumer_offsets WHERE topic = '" + topic + "'"))
          .as("stored next offset").isEqualTo(records);
    }
    if (mode.claims) {
      assertThat(fx.count("SELECT count(*) FROM claims c JOIN dedup_scopes s USING (scope_id) WHERE s.scope = 'g-" + topic + "'"))
          .isEqualTo(records);
    }
  }

  private void runBatchWithLostCommit(Mode mode, int maxAttempts, int cuts) throws Exception {
    String topic = fx.kafka.createTopic("unknown-" + mode.name().toLowerCase() + "-" + maxAttempts, 1);
    publish(topic, RECORDS, "v");
    proxy.cutAfterCommit(cuts);
    fx.start(consumer(topic, mode, maxAttempts, EngineFixture.insertOrder()));
    await().atMost(Duration.ofSeconds(60)).until(() -> proxy.cuts() == cuts);
    assertExactlyOnce(topic, mode, RECORDS);
  }

  @Test
  void keyClaimsFindTheKeysOfTheCommittedBatchTaken() throws Exception {
    runBatchWithLostCommit(Mode.CLAIMS, 5, 1);
  }

  @Test
  void claimsAndOffsetsInTheDatabase() throws Exception {
    runBatchWithLostCommit(Mode.CLAIMS_AND_OFFSETS, 5, 1);
  }

  /**
   * The defect of issue 16: without key claims the retry applied the batch a second time. With one
   * attempt the engine gives up at once and the poll loop rewinds: the records the lost commit applied are
   * skipped on the next poll too; with two cuts the retry's read of the stored offsets is itself cut.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 5})
  void offsetsOnlyRereadTheStoredOffsetBeforeApplyingAgain(int maxAttempts) throws Exception {
    runBatchWithLostCommit(Mode.OFFSETS_ONLY, maxAttempts, maxAttempts == 2 ? 2 : 1);
  }

  /**
   * A poison record: its handler fails, it is dead-lettered (with key claims: its key stored as {@code D})
   * and that transaction's COMMIT outcome is lost. The retry finds the record done: one DLT copy.
   */
  @ParameterizedTest
  @ValueSource(strings = {"CLAIMS", "OFFSETS_ONLY"})
  void aDeadLetteredRecordWhoseCommitIsLostIsDeadLetteredOnce(String modeName) throws Exception {
    Mode mode = Mode.valueOf(modeName);
    String topic = fx.kafka.createTopic("unknown-dlt-" + modeName.toLowerCase(), 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    RecordHandler<String, String> insert = EngineFixture.insertOrder();
    fx.start(consumer(topic, mode, 5, (record, tx) -> {
      if (record.value().equals("poison")) {
        throw new IllegalArgumentException("poison " + record.offset());
      }
      insert.handle(record, tx);
    }));
    publish(topic, 3, "v");
    await().atMost(Duration.ofSeconds(60)).until(() -> committedInKafka("g-" + topic) == 3);
    proxy.cutAfterCommit(1); // the only commit of the poison: its dead-letter transaction (the others roll back)
    var producer = fx.producer();
    EngineFixture.send(producer, topic, "p", "poison", topic + "-poison");
    await().atMost(Duration.ofSeconds(60)).until(() -> proxy.cuts() == 1);
    await().atMost(Duration.ofSeconds(60)).until(() -> committedInKafka("g-" + topic) == 4);
    assertThat(fx.readAll(topic + ".DLT", 1)).hasSize(1);
    assertThat(recordsIn(topic + ".DLT", fx.kafka.admin())).as("dead-letter copies").isEqualTo(1);
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(3);
    if (mode.claims) {
      assertThat(fx.count("SELECT count(*) FROM claims c JOIN dedup_scopes s USING (scope_id) WHERE s.scope = 'g-" + topic + "' AND c.status = 'D'"))
          .isEqualTo(1);
    } else {
      assertThat(fx.count("SELECT next_offset FROM consumer_offsets WHERE topic = '" + topic + "'")).isEqualTo(4);
    }
  }
}
