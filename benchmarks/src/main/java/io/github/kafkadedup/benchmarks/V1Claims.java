package io.github.kafkadedup.benchmarks;

import io.github.kafkadedup.consumer.internal.Candidate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The claim of schema version 1, frozen here as the reference the V2 figures are compared with: the
 * statement {@code PostgresClaimStore.claim} sent on V1's {@code processed_messages} (keys sorted, one
 * {@code INSERT ... SELECT FROM unnest(text arrays) ON CONFLICT DO NOTHING RETURNING message_key}), and
 * the retention delete {@code RetentionStatements} ran (by {@code ctid}, in batches). Use it on a database
 * migrated to version 1 only ({@link BenchDatabase#createV1}): version 2 makes the table read-only.
 */
public final class V1Claims {
  /** The claim statement: scope, then key, topic, partition and offset arrays. */
  public static final String CLAIM = "INSERT INTO processed_messages"
      + " (scope, message_key, topic, kafka_partition, kafka_offset)"
      + " SELECT ?, u.k, u.t, u.p, u.o FROM unnest(?::text[], ?::text[], ?::int4[], ?::int8[]) AS u(k, t, p, o)"
      + " ON CONFLICT (scope, message_key) DO NOTHING RETURNING message_key";
  /** One retention batch: cutoff, limit, cutoff; each run in its own transaction. */
  public static final String DELETE_BATCH = "DELETE FROM processed_messages WHERE ctid = ANY(ARRAY(SELECT ctid"
      + " FROM processed_messages WHERE processed_at < ? LIMIT ?)) AND processed_at < ?";

  private V1Claims() {}

  /**
   * Claims every candidate's key (distinct) in {@code scope} on the caller's transaction.
   *
   * @param c the transaction's connection
   * @param scope the scope
   * @param candidates the records and their keys
   * @return how many keys were fresh
   * @throws SQLException on database failure
   */
  public static int claim(Connection c, String scope, List<? extends Candidate<?, ?>> candidates)
      throws SQLException {
    List<? extends Candidate<?, ?>> sorted = new ArrayList<>(candidates);
    sorted.sort(Comparator.comparing(Candidate::key));
    int n = sorted.size();
    String[] keys = new String[n];
    String[] topics = new String[n];
    int[] partitions = new int[n];
    long[] offsets = new long[n];
    for (int i = 0; i < n; i++) {
      Candidate<?, ?> candidate = sorted.get(i);
      keys[i] = candidate.key();
      topics[i] = candidate.record().topic();
      partitions[i] = candidate.record().partition();
      offsets[i] = candidate.record().offset();
    }
    try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
      ps.setString(1, scope);
      ps.setObject(2, keys);
      ps.setObject(3, topics);
      ps.setObject(4, partitions);
      ps.setObject(5, offsets);
      int fresh = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          fresh++;
        }
      }
      return fresh;
    }
  }
}
