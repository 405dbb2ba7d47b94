package io.github.kafkadedup.benchmarks.claim;

import io.github.kafkadedup.benchmarks.BenchDatabase;
import io.github.kafkadedup.benchmarks.KeyMix;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
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
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

/**
 * The peers with their real libraries, on the same PostgreSQL and the same key mix as
 * {@link ClaimBenchmark}: one batch of messages, each checked the way the library does it (one
 * transaction per message, as their idempotent receivers / consumers work).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PeerBenchmark {
  private static final String PROCESSOR_NAME = "bench";

  @Param({"1", "10", "100", "500", "2000"})
  int batchSize;

  @Param({"0", "10", "100"})
  int duplicatePercent;

  private BenchDatabase db;
  private SpringPeer spring;
  private JdbcMessageIdRepository camel;
  private KeyMix mix;
  private String[] keys;
  private List<Message<String>> messages;

  /** Creates both peers' tables as their libraries do, and stores the pool of duplicate keys. */
  @Setup(Level.Trial)
  public void open() throws Exception {
    db = BenchDatabase.create("peers");
    DataSource pool = db.pool(2);
    spring = new SpringPeer(pool);
    camel = new JdbcMessageIdRepository(pool, PROCESSOR_NAME);
    camel.start(); // creates CAMEL_MESSAGEPROCESSED (createTableIfNotExists defaults to true)
    List<String> claimed = KeyMix.freshKeys(ClaimBenchmark.POOL, 42);
    try (Connection c = db.connect()) {
      seed(c, "INSERT INTO INT_METADATA_STORE (METADATA_KEY, METADATA_VALUE, REGION)"
          + " SELECT k, '0', 'DEFAULT' FROM unnest(?::text[]) AS k", claimed);
      seed(c, "INSERT INTO CAMEL_MESSAGEPROCESSED (processorName, messageId, createdAt)"
          + " SELECT '" + PROCESSOR_NAME + "', k, now() FROM unnest(?::text[]) AS k", claimed);
    }
    db.execute("VACUUM ANALYZE");
    mix = new KeyMix(claimed, duplicatePercent, 7);
  }

  private static void seed(Connection c, String sql, List<String> keys) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, keys.toArray(String[]::new));
      ps.executeUpdate();
    }
    c.commit();
  }

  /** The next batch of keys and Spring messages, built outside the measurement. */
  @Setup(Level.Invocation)
  public void nextBatch() {
    keys = mix.next(batchSize);
    messages = new ArrayList<>(keys.length);
    for (String key : keys) {
      messages.add(MessageBuilder.withPayload("{}").setHeader(SpringPeer.KEY_HEADER, key).build());
    }
  }

  /** Stops the peers and drops the database. */
  @TearDown(Level.Trial)
  public void close() {
    camel.stop();
    spring.close();
    db.close();
  }

  /**
   * Spring Integration: {@code MetadataStoreSelector.accept} ({@code JdbcMetadataStore.putIfAbsent}) per
   * message.
   *
   * @return accepted (new) messages
   */
  @Benchmark
  public int springMetadataStore() {
    int fresh = 0;
    for (Message<String> message : messages) {
      if (spring.accept(message)) {
        fresh++;
      }
    }
    return fresh;
  }

  /**
   * Apache Camel: {@code JdbcMessageIdRepository.add} per message (a {@code SELECT COUNT(*)} and an
   * {@code INSERT} in one transaction).
   *
   * @return added (new) keys
   */
  @Benchmark
  public int camelIdempotentRepository() {
    int fresh = 0;
    for (String key : keys) {
      if (camel.add(key)) {
        fresh++;
      }
    }
    return fresh;
  }
}
