package io.github.kafkadedup.benchmarks.claim;

import io.github.kafkadedup.benchmarks.BenchDatabase;
import io.github.kafkadedup.benchmarks.KeyMix;
import io.github.kafkadedup.benchmarks.Records;
import io.github.kafkadedup.benchmarks.V1Claims;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupProcessor;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.consumer.internal.Candidate;
import io.github.kafkadedup.consumer.internal.PostgresClaimStore;
import io.github.kafkadedup.migrations.DedupSchema;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
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
 * Claims one batch of keys in one transaction (time per batch, including the commit) in a fresh
 * database: kafka-dedup's claim (the store alone, and the whole {@link DedupProcessor} with a no-op
 * handler, on the V2 {@code claims} table) against hand-written alternatives on V1's
 * {@code processed_messages} (made writable again for them: migration V2 makes it read-only). Duplicates are
 * keys claimed before the measurement (a pool of {@value #POOL}); fresh keys are random UUIDs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ClaimBenchmark {
  static final String SCOPE = "bench";
  static final int POOL = 20_000;
  private static final String INSERT_COLUMNS =
      " (scope, message_key, topic, kafka_partition, kafka_offset) VALUES (?, ?, ?, ?, ?)";

  @Param({"1", "10", "100", "500", "2000"})
  int batchSize;

  @Param({"0", "10", "100"})
  int duplicatePercent;

  private BenchDatabase db;
  private Connection c;
  private PostgresClaimStore store;
  private DedupProcessor<String, String> processor;
  private KeyMix mix;
  private final Records records = new Records();
  private List<ConsumerRecord<String, String>> batch;
  private List<Candidate<String, String>> candidates;
  private PreparedStatement insertOnConflict;
  private PreparedStatement insertPlain;
  private PreparedStatement select;

  /** Creates the database, claims the pool of keys used as duplicates, prepares the statements. */
  @Setup(Level.Trial)
  public void open() throws SQLException {
    db = BenchDatabase.create("claim");
    c = db.connect();
    store = new PostgresClaimStore(DedupSchema.DEFAULT);
    List<String> pool = KeyMix.freshKeys(POOL, 42);
    for (int i = 0; i < POOL; i += 2000) {
      store.claim(c, SCOPE, candidates(records.batch(pool.subList(i, i + 2000).toArray(String[]::new))));
      c.commit();
    }
    // the hand-written statements below write V1's table: lift V2's read-only guard, and give them the
    // same pool of duplicates
    db.execute("DROP TRIGGER processed_messages_read_only ON processed_messages");
    for (int i = 0; i < POOL; i += 2000) {
      V1Claims.claim(c, SCOPE, candidates(records.batch(pool.subList(i, i + 2000).toArray(String[]::new))));
      c.commit();
    }
    db.execute("VACUUM ANALYZE processed_messages", "VACUUM ANALYZE claims");
    mix = new KeyMix(pool, duplicatePercent, 7);
    processor = DedupProcessor.<String, String>builder(db.pool(2))
        .config(DedupConfig.builder().scope(SCOPE).build())
        .keyStrategy(KeyStrategy.header())
        .batchHandler((fresh, tx) -> { })
        .recoverer(Recoverer.logAndMarkDead())
        .build();
    insertOnConflict = c.prepareStatement("INSERT INTO processed_messages" + INSERT_COLUMNS
        + " ON CONFLICT (scope, message_key) DO NOTHING");
    insertPlain = c.prepareStatement("INSERT INTO processed_messages" + INSERT_COLUMNS);
    select = c.prepareStatement("SELECT 1 FROM processed_messages WHERE scope = ? AND message_key = ?");
  }

  /** The next batch's records and candidates, built outside the measurement. */
  @Setup(Level.Invocation)
  public void nextBatch() {
    batch = records.batch(mix.next(batchSize));
    candidates = candidates(batch);
  }

  /** Drops the database. */
  @TearDown(Level.Trial)
  public void close() throws SQLException {
    c.close();
    db.close();
  }

  /**
   * kafka-dedup's claim: {@code INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING RETURNING},
   * one round trip, then commit.
   *
   * @return fresh keys
   * @throws SQLException on database failure
   */
  @Benchmark
  public int ourClaim() throws SQLException {
    int fresh = store.claim(c, SCOPE, candidates).size();
    c.commit();
    return fresh;
  }

  /**
   * The whole engine for one poll batch with a no-op handler: keys from the header, in-batch repeats
   * removed, the claim, the lookup of where duplicates were first seen, the commit.
   *
   * @return records handed to the handler
   */
  @Benchmark
  public int ourProcessor() {
    return processor.process(batch).processed();
  }

  /**
   * (a) One {@code INSERT ... ON CONFLICT DO NOTHING} per key, one transaction per batch.
   *
   * @return fresh keys
   * @throws SQLException on database failure
   */
  @Benchmark
  public int insertPerKey() throws SQLException {
    int fresh = 0;
    for (Candidate<String, String> candidate : candidates) {
      bind(insertOnConflict, candidate);
      fresh += insertOnConflict.executeUpdate();
    }
    c.commit();
    return fresh;
  }

  /**
   * (b) Check, then act: a {@code SELECT} per key and an {@code INSERT} for the absent ones.
   *
   * @return fresh keys
   * @throws SQLException on database failure
   */
  @Benchmark
  public int selectThenInsert() throws SQLException {
    int fresh = 0;
    for (Candidate<String, String> candidate : candidates) {
      select.setString(1, SCOPE);
      select.setString(2, candidate.key());
      boolean exists;
      try (ResultSet rs = select.executeQuery()) {
        exists = rs.next();
      }
      if (!exists) {
        bind(insertPlain, candidate);
        fresh += insertPlain.executeUpdate();
      }
    }
    c.commit();
    return fresh;
  }

  /**
   * (c) What exception-driven code must do on PostgreSQL (a unique violation aborts the transaction): a
   * savepoint per key, a plain {@code INSERT}, and a rollback to the savepoint on a unique violation.
   *
   * @return fresh keys
   * @throws SQLException on database failure
   */
  @Benchmark
  public int savepointPerKey() throws SQLException {
    int fresh = 0;
    for (Candidate<String, String> candidate : candidates) {
      Savepoint savepoint = c.setSavepoint();
      try {
        bind(insertPlain, candidate);
        fresh += insertPlain.executeUpdate();
        c.releaseSavepoint(savepoint);
      } catch (SQLException e) {
        if (!"23505".equals(e.getSQLState())) {
          throw e;
        }
        c.rollback(savepoint);
      }
    }
    c.commit();
    return fresh;
  }

  private static void bind(PreparedStatement ps, Candidate<String, String> candidate) throws SQLException {
    ps.setString(1, SCOPE);
    ps.setString(2, candidate.key());
    ps.setString(3, candidate.record().topic());
    ps.setInt(4, candidate.record().partition());
    ps.setLong(5, candidate.record().offset());
  }

  static List<Candidate<String, String>> candidates(List<ConsumerRecord<String, String>> records) {
    List<Candidate<String, String>> out = new ArrayList<>(records.size());
    for (ConsumerRecord<String, String> r : records) {
      out.add(new Candidate<>(r, new String(r.headers().lastHeader(KeyStrategy.DEFAULT_HEADER).value(),
          StandardCharsets.UTF_8)));
    }
    return out;
  }
}
