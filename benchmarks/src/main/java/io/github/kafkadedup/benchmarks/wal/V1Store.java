package io.github.kafkadedup.benchmarks.wal;

import io.github.kafkadedup.consumer.RetentionConfig;
import io.github.kafkadedup.consumer.internal.Candidate;
import io.github.kafkadedup.consumer.internal.PostgresClaimStore;
import io.github.kafkadedup.consumer.internal.RetentionStatements;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * V1 {@code processed_messages} as migrated, claimed with {@link PostgresClaimStore#claim} and expired as
 * {@code RetentionJob} does: {@link RetentionStatements#deleteBatch} until a batch comes back short, then
 * the {@code VACUUM} that autovacuum would run.
 */
final class V1Store implements WalStore {
  static final String SCOPE = "bench-scope";
  /** Expired keys were claimed 40 days ago and later; live keys within the last day. */
  private static final String CUTOFF = "now() - interval '20 days'";

  private final DedupSchema schema = DedupSchema.DEFAULT;
  private final PostgresClaimStore store = new PostgresClaimStore(schema);

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
    store.claim(c, SCOPE, batch);
  }

  @Override
  public long expire(Connection c) throws SQLException {
    RetentionStatements sql = new RetentionStatements(schema.processedMessages(), null);
    Instant cutoff;
    try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT " + CUTOFF)) {
      rs.next();
      cutoff = rs.getTimestamp(1).toInstant();
    }
    long deleted = 0;
    int last;
    do {
      last = sql.deleteBatch(c, cutoff, RetentionConfig.DEFAULT_BATCH_SIZE);
      deleted += last;
    } while (last == RetentionConfig.DEFAULT_BATCH_SIZE);
    try (Statement s = c.createStatement()) {
      s.execute("VACUUM " + schema.processedMessages());
    }
    return deleted;
  }

  @Override
  public String retentionMethod() {
    return "RetentionStatements.deleteBatch (ctid batches of " + RetentionConfig.DEFAULT_BATCH_SIZE
        + ") + VACUUM";
  }
}
