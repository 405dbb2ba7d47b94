package io.github.kafkadedup.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generation fence against the real PostgreSQL, without Kafka: two owners of one partition. */
class OffsetFenceIT {
  static TestDatabase db;

  @BeforeAll
  static void setUp() {
    db = TestPostgres.get().createDatabase("offset-fence");
    DedupMigrations.migrate(db.dataSource());
    db.execute("CREATE TABLE effects (topic text, kafka_offset bigint)");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  private static List<ConsumerRecord<String, String>> records(String topic, int partition, long from, long to) {
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    for (long o = from; o < to; o++) {
      out.add(new ConsumerRecord<>(topic, partition, o, "k", "v"));
    }
    return out;
  }

  /** One dedup-like transaction, as Transactions runs it; returns the records it applied. */
  private static List<ConsumerRecord<String, String>> transaction(OffsetFence fence,
      List<ConsumerRecord<String, String>> records) throws SQLException {
    return transaction(fence, records, true);
  }

  /**
   * The unapplied records, a business write per record, the fence, the commit; {@code heard} false: the
   * client never heard that the commit succeeded (its outcome was unknown).
   */
  private static List<ConsumerRecord<String, String>> transaction(OffsetFence fence,
      List<ConsumerRecord<String, String>> records, boolean heard) throws SQLException {
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        List<ConsumerRecord<String, String>> unapplied = fence.unapplied(c, records);
        for (ConsumerRecord<String, String> r : unapplied) {
          st.addBatch("INSERT INTO effects VALUES ('" + r.topic() + "', " + r.offset() + ")");
        }
        st.executeBatch();
        fence.beforeCommit(c, unapplied);
        c.commit();
        if (heard) {
          fence.committed(unapplied);
        }
        return unapplied;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  private static long nextOffset(String topic, int partition) {
    return db.queryLong("SELECT next_offset FROM consumer_offsets WHERE topic = '" + topic
        + "' AND kafka_partition = " + partition);
  }

  @Test
  void aZombieIsFencedAndItsWritesRollBack() throws SQLException {
    String topic = "zombie";
    TopicPartition tp = new TopicPartition(topic, 0);
    OffsetFence first = new OffsetFence(db.dataSource(), DedupSchema.DEFAULT, "svc");
    assertThat(first.acquire(List.of(tp))).as("nothing stored yet").isEmpty();
    transaction(first, records(topic, 0, 0, 10));
    assertThat(nextOffset(topic, 0)).isEqualTo(10);

    OffsetFence second = new OffsetFence(db.dataSource(), DedupSchema.DEFAULT, "svc");
    assertThat(second.acquire(List.of(tp))).isEqualTo(Map.of(tp, 10L));
    assertThat(second.generation(tp)).isEqualTo(first.generation(tp) + 1);

    assertThatThrownBy(() -> transaction(first, records(topic, 0, 10, 20)))
        .isInstanceOfSatisfying(DedupException.class, e -> assertThat(e.kind()).isEqualTo(DedupException.Kind.FENCED))
        .hasMessage("[svc] fenced, the transaction is rolled back: zombie-0 is owned by generation 2, this "
            + "consumer holds 1 (the partition was reassigned; a newer owner continues from the stored offset)");
    assertThat(first.owns(tp)).as("the zombie forgets the partition").isFalse();
    assertThat(db.queryLong("SELECT count(*) FROM effects WHERE topic = 'zombie' AND kafka_offset >= 10"))
        .as("the zombie's business writes rolled back").isZero();
    assertThat(nextOffset(topic, 0)).isEqualTo(10);

    transaction(second, records(topic, 0, 10, 15));
    assertThat(nextOffset(topic, 0)).isEqualTo(15);
  }

  @Test
  void offsetsNeverMoveBackwards() throws SQLException {
    String topic = "forward";
    OffsetFence fence = new OffsetFence(db.dataSource(), DedupSchema.DEFAULT, "svc");
    fence.acquire(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)));
    List<ConsumerRecord<String, String>> both = new ArrayList<>(records(topic, 0, 0, 50));
    both.addAll(records(topic, 1, 0, 7));
    transaction(fence, both);
    assertThat(transaction(fence, records(topic, 0, 20, 30))).as("a re-read of applied records: skipped").isEmpty();
    assertThat(nextOffset(topic, 0)).isEqualTo(50);
    assertThat(nextOffset(topic, 1)).isEqualTo(7);
  }

  /** The fence itself refuses a transaction whose records start below the stored offset (transient). */
  @Test
  void theFenceRefusesRecordsBelowTheStoredOffset() throws SQLException {
    String topic = "below";
    TopicPartition tp = new TopicPartition(topic, 0);
    OffsetFence fence = new OffsetFence(db.dataSource(), DedupSchema.DEFAULT, "svc");
    fence.acquire(List.of(tp));
    transaction(fence, records(topic, 0, 0, 10));
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThatThrownBy(() -> fence.beforeCommit(c, records(topic, 0, 5, 12)))
          .isInstanceOf(SQLTransientException.class)
          .hasMessageContaining("below-0 is stored at 10, past this transaction's first offset 5");
      c.rollback();
    }
    assertThat(fence.owns(tp)).as("not a fence: still owned").isTrue();
    assertThat(nextOffset(topic, 0)).isEqualTo(10);
  }

  /** A commit the client never heard of: the next transaction reads the stored offset and skips its records. */
  @Test
  void afterACommitWithUnknownOutcomeTheAppliedRecordsAreSkipped() throws SQLException {
    String topic = "unknown";
    TopicPartition tp = new TopicPartition(topic, 0);
    OffsetFence fence = new OffsetFence(db.dataSource(), DedupSchema.DEFAULT, "svc");
    fence.acquire(List.of(tp));
    transaction(fence, records(topic, 0, 0, 4));
    transaction(fence, records(topic, 0, 4, 10), false);
    List<ConsumerRecord<String, String>> retry = transaction(fence, records(topic, 0, 4, 12));
    assertThat(retry).extracting(ConsumerRecord::offset).containsExactly(10L, 11L);
    assertThat(db.queryLong("SELECT count(*) FROM effects WHERE topic = 'unknown'")).isEqualTo(12);
    assertThat(db.queryLong("SELECT count(DISTINCT kafka_offset) FROM effects WHERE topic = 'unknown'")).isEqualTo(12);
    assertThat(fence.storedOffsets(List.of(tp))).isEqualTo(Map.of(tp, 12L));
  }

  @Test
  void aPartitionNeverAcquiredIsFenced() {
    OffsetFence fence = new OffsetFence(db.dataSource(), DedupSchema.DEFAULT, "svc");
    assertThatThrownBy(() -> transaction(fence, records("never", 3, 0, 1)))
        .hasMessageContaining("never-3 is not owned by this consumer");
    assertThat(db.queryLong("SELECT count(*) FROM effects WHERE topic = 'never'")).isZero();
  }

  @Test
  void scopesAreIndependent() throws SQLException {
    TopicPartition tp = new TopicPartition("shared", 0);
    OffsetFence billing = new OffsetFence(db.dataSource(), DedupSchema.DEFAULT, "billing");
    OffsetFence shipping = new OffsetFence(db.dataSource(), DedupSchema.DEFAULT, "shipping");
    billing.acquire(List.of(tp));
    shipping.acquire(List.of(tp));
    transaction(billing, records("shared", 0, 0, 3));
    assertThat(shipping.acquire(List.of(tp))).as("shipping stored no offset").isEmpty();
    assertThat(billing.acquire(List.of(tp))).isEqualTo(Map.of(tp, 3L));
  }
}
