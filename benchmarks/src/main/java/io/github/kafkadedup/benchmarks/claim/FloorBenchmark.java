package io.github.kafkadedup.benchmarks.claim;

import io.github.kafkadedup.benchmarks.BenchDatabase;
import io.github.kafkadedup.benchmarks.KeyMix;
import io.github.kafkadedup.benchmarks.Records;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor a claim is measured against: the same rows (key, topic, partition, offset) inserted in one
 * round trip and one transaction into a table with no index and no conflict check, i.e. no
 * deduplication at all.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FloorBenchmark {
  @Param({"1", "10", "100", "500", "2000"})
  int batchSize;

  private BenchDatabase db;
  private Connection c;
  private PreparedStatement insert;
  private KeyMix mix;
  private final Records records = new Records();
  private List<ConsumerRecord<String, String>> batch;
  private String[] keys;

  /** Creates the database and the unindexed table. */
  @Setup(Level.Trial)
  public void open() throws SQLException {
    db = BenchDatabase.create("floor");
    db.execute("CREATE TABLE plain_rows (message_key text NOT NULL, topic text NOT NULL,"
        + " kafka_partition integer NOT NULL, kafka_offset bigint NOT NULL)");
    c = db.connect();
    insert = c.prepareStatement("INSERT INTO plain_rows (message_key, topic, kafka_partition, kafka_offset)"
        + " SELECT * FROM unnest(?::text[], ?::text[], ?::int4[], ?::int8[])");
    mix = new KeyMix(List.of(), 0, 11);
  }

  /** The next batch, built outside the measurement. */
  @Setup(Level.Invocation)
  public void nextBatch() {
    keys = mix.next(batchSize);
    batch = records.batch(keys);
  }

  /** Drops the database. */
  @TearDown(Level.Trial)
  public void close() throws SQLException {
    c.close();
    db.close();
  }

  /**
   * A plain multi-row insert of the batch, then commit (keys extracted outside the measurement, as the
   * claim benchmarks get them).
   *
   * @return rows inserted
   * @throws SQLException on database failure
   */
  @Benchmark
  public int plainInsert() throws SQLException {
    int n = batch.size();
    String[] topics = new String[n];
    int[] partitions = new int[n];
    long[] offsets = new long[n];
    for (int i = 0; i < n; i++) {
      ConsumerRecord<String, String> r = batch.get(i);
      topics[i] = r.topic();
      partitions[i] = r.partition();
      offsets[i] = r.offset();
    }
    insert.setObject(1, keys);
    insert.setObject(2, topics);
    insert.setObject(3, partitions);
    insert.setObject(4, offsets);
    int rows = insert.executeUpdate();
    c.commit();
    return rows;
  }
}
