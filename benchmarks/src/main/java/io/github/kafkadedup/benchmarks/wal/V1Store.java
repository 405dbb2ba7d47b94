package io.github.kafkadedup.benchmarks.wal;

import io.github.kafkadedup.benchmarks.V1Claims;
import io.github.kafkadedup.consumer.internal.Candidate;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.List;

/**
 * V1 {@code processed_messages} (a database migrated to version 1 only), claimed with V1's statement
 * ({@link V1Claims}) and expired as V1's {@code RetentionJob} did: delete batches by {@code ctid} until a
 * batch comes back short, then the {@code VACUUM} that autovacuum would run.
 */
final class V1Store implements WalStore {
  static final String SCOPE = "bench-scope";
  /** Expired keys were claimed 40 days ago and later; live keys within the last day. */
  private static final String CUTOFF = "now() - interval '20 days'";

  /** V1's {@code RetentionConfig.DEFAULT_BATCH_SIZE}. */
  private static final int DELETE_BATCH = 10_000;

  private final DedupSchema schema = DedupSchema.DEFAULT;

  @Override
  public void prefill(Connection c, long live, long expired) throws SQLException {
    // processed_at grows with the row number, as it would have: the BRIN index then finds the old rows
    fill(c, 1, expired, "now() - interval '40 days' + i * interval '1 ms'");
    fill(c, expired + 1, expired + live, "now() - interval '1 day' + i * interval '10 us'");
  }

  private void fill(Connection c, long from, long to, String processedAt) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (long lo = from; lo <= to; lo += ClaimWal.PREFILL_CHUNK) {
        long hi = Math.min(to, lo + ClaimWal.PREFILL_CHUNK - 1);
        s.execute("INSERT INTO " + schema.processedMessages() + " (scope, message_key, topic, kafka_partition,"
            + " kafka_offset, processed_at) SELECT '" + SCOPE + "', gen_random_uuid()::text, 'bench-orders', i % 12,"
            + " i, " + processedAt + " FROM generate_series(" + lo + ", " + hi + ") i");
      }
    }
  }

  @Override
  public List<String> tables() {
    return List.of(schema.processedMessages());
  }

  @Override
  public void claim(Connection c, List<Candidate<String, String>> batch) throws SQLException {
    V1Claims.claim(c, SCOPE, batch);
  }

  @Override
  public long expire(Connection c) throws SQLException {
    Timestamp cutoff;
    try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT " + CUTOFF)) {
      rs.next();
      cutoff = rs.getTimestamp(1);
    }
    long deleted = 0;
    int last;
    try (PreparedStatement ps = c.prepareStatement(V1Claims.DELETE_BATCH)) {
      do {
        ps.setTimestamp(1, cutoff);
        ps.setInt(2, DELETE_BATCH);
        ps.setTimestamp(3, cutoff);
        last = ps.executeUpdate(); // autocommit: each batch its own transaction, as the job ran them
        deleted += last;
      } while (last == DELETE_BATCH);
    }
    try (Statement s = c.createStatement()) {
      s.execute("VACUUM " + schema.processedMessages());
    }
    return deleted;
  }

  @Override
  public String retentionMethod() {
    return "V1 RetentionJob: DELETE by ctid in batches of " + DELETE_BATCH + ", then VACUUM";
  }
}
