package io.github.kafkadedup.benchmarks.wal;

import io.github.kafkadedup.consumer.internal.Candidate;
import io.github.kafkadedup.consumer.internal.PostgresClaimStore;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * V2 claims as the product ships them (migration V2, {@link PostgresClaimStore#claim}): the expired keys
 * in generation 1, then a generation switch ({@code dedup_switch_generation}), the live keys in
 * generation 2, which takes the claims while generation 1 is probed; retention drops generation 1
 * ({@code dedup_drop_generation}).
 */
final class V2Store implements WalStore {
  private static final int OLD = 1;

  private final DedupSchema schema = DedupSchema.DEFAULT;
  private final PostgresClaimStore store = new PostgresClaimStore(schema);
  private final WalVariant.Keys keys;
  private long expiredRows;

  V2Store(WalVariant.Keys keys) {
    this.keys = keys;
  }

  @Override
  public void prefill(Connection c, long live, long expired) throws SQLException {
    try (Statement s = c.createStatement()) {
      int scopeId = queryInt(s, "INSERT INTO " + schema.scopes() + " (scope) VALUES ('" + V1Store.SCOPE
          + "') RETURNING scope_id");
      fill(s, scopeId, 1, expired);
      expiredRows = expired;
      queryInt(s, "SELECT " + schema.function("dedup_switch_generation") + "(5000)");
      queryInt(s, "SELECT " + schema.function("dedup_prepare_generations") + "(1, 5000)");
      fill(s, scopeId, expired + 1, expired + live);
    }
  }

  /** Rows {@code from..to} into the current generation. */
  private void fill(Statement s, int scopeId, long from, long to) throws SQLException {
    int generation = queryInt(s, "SELECT max(generation) FROM " + schema.generations());
    for (long lo = from; lo <= to; lo += ClaimWal.PREFILL_CHUNK) {
      long hi = Math.min(to, lo + ClaimWal.PREFILL_CHUNK - 1);
      s.execute("INSERT INTO " + schema.claims() + " (scope_id, generation, kafka_offset, key_id, kafka_partition)"
          + " SELECT " + scopeId + ", " + generation + ", i, " + keyExpression() + ", i % 12"
          + " FROM generate_series(" + lo + ", " + hi + ") i");
    }
  }

  /** SQL for the i-th pre-filled key, shaped like the keys the run claims. */
  private String keyExpression() {
    return switch (keys) {
      // 8 keys per millisecond from three days ago on: all older than the run's keys, as they would be
      case UUIDV7 -> "(lpad(to_hex((extract(epoch FROM now() - interval '3 days') * 1000)::bigint + i / 8), 12,"
          + " '0') || '7' || substr(md5(i::text), 1, 3) || '8' || substr(md5(i::text), 4, 15))::uuid";
      case RANDOM_UUID -> "gen_random_uuid()";
      case HASHED_TEXT -> schema.function("dedup_key_id") + "('order-prefill-' || i)";
    };
  }

  private static int queryInt(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Override
  public List<String> tables() {
    return List.of(schema.claims(), schema.scopes(), schema.generations());
  }

  @Override
  public void claim(Connection c, List<Candidate<String, String>> batch) throws SQLException {
    store.claim(c, V1Store.SCOPE, batch);
  }

  @Override
  public long expire(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + schema.function("dedup_drop_generation") + "(" + OLD
            + ", now() + interval '1 day', 5000)")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        throw new IllegalStateException("dedup_drop_generation(" + OLD + ") dropped nothing");
      }
      return expiredRows;
    }
  }

  @Override
  public String retentionMethod() {
    return "dedup_drop_generation(" + OLD + ", ...): DROP TABLE of the expired generation";
  }
}
