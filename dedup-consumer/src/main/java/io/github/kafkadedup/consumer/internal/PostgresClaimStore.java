package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Claims dedup keys in {@code processed_messages} on the caller's connection and transaction. A whole
 * batch is claimed in one round trip: {@code INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO
 * NOTHING RETURNING message_key}; the returned keys are the fresh ones. A conflict is not an error, so
 * the transaction stays usable (unlike catching a unique violation, which aborts a PostgreSQL
 * transaction). Keys are sent sorted, so concurrent claimers lock index entries in the same order and
 * cannot deadlock each other.
 */
public final class PostgresClaimStore {
  private final String claimSql;
  private final String lookupSql;
  private final String markSql;
  private final String claimDeadSql;

  /** @param schema where {@code processed_messages} is */
  public PostgresClaimStore(DedupSchema schema) {
    String table = schema.processedMessages();
    this.claimSql = "INSERT INTO " + table
        + " (scope, message_key, topic, kafka_partition, kafka_offset)"
        + " SELECT ?, u.k, u.t, u.p, u.o FROM unnest(?::text[], ?::text[], ?::int4[], ?::int8[]) AS u(k, t, p, o)"
        + " ON CONFLICT (scope, message_key) DO NOTHING RETURNING message_key";
    this.lookupSql = "SELECT message_key, topic, kafka_partition, kafka_offset, status FROM " + table
        + " WHERE scope = ? AND message_key = ANY(?::text[])";
    this.claimDeadSql = "INSERT INTO " + table
        + " (scope, message_key, topic, kafka_partition, kafka_offset, status) VALUES (?, ?, ?, ?, ?, 'D')"
        + " ON CONFLICT (scope, message_key) DO NOTHING RETURNING 1";
    this.markSql = "INSERT INTO " + table
        + " (scope, message_key, topic, kafka_partition, kafka_offset, status) VALUES (?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (scope, message_key) DO UPDATE SET status = EXCLUDED.status, topic = EXCLUDED.topic,"
        + " kafka_partition = EXCLUDED.kafka_partition, kafka_offset = EXCLUDED.kafka_offset,"
        + " processed_at = now()";
  }

  /**
   * Claims every candidate's key (keys must be distinct) and returns the keys that were fresh.
   *
   * @throws SQLException on database failure
   */
  public Set<String> claim(Connection c, String scope, List<? extends Candidate<?, ?>> candidates)
      throws SQLException {
    if (candidates.isEmpty()) {
      return Set.of();
    }
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
    try (PreparedStatement ps = c.prepareStatement(claimSql)) {
      ps.setString(1, scope);
      ps.setObject(2, keys);
      ps.setObject(3, topics);
      ps.setObject(4, partitions);
      ps.setObject(5, offsets);
      Set<String> fresh = new HashSet<>(n * 2);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          fresh.add(rs.getString(1));
        }
      }
      return fresh;
    }
  }

  /**
   * Claims every candidate's key (keys must be distinct), reporting the claim's latency to {@code metrics},
   * and looks up where the taken keys were first seen: one round trip, two when there are duplicates.
   *
   * @throws SQLException on database failure
   */
  public Claims claimAll(Connection c, String scope, List<? extends Candidate<?, ?>> candidates,
      DedupMetrics metrics) throws SQLException {
    long start = System.nanoTime();
    Set<String> fresh = claim(c, scope, candidates);
    metrics.claim(scope, candidates.size(), System.nanoTime() - start);
    Map<String, StoredClaim> taken = fresh.size() == candidates.size() ? Map.of()
        : lookup(c, scope, candidates.stream().map(Candidate::key).filter(k -> !fresh.contains(k)).toList());
    return new Claims(fresh, taken);
  }

  /**
   * What {@link #claimAll} found.
   *
   * @param fresh the keys claimed now
   * @param taken where each key claimed earlier was first seen (absent if its row is gone meanwhile)
   */
  public record Claims(Set<String> fresh, Map<String, StoredClaim> taken) {

    /** Whether {@code key} was claimed now. */
    public boolean isFresh(String key) {
      return fresh.contains(key);
    }

    /** Where the taken {@code key} was first seen, or {@code null}. */
    public @Nullable StoredClaim firstClaim(String key) {
      return taken.get(key);
    }
  }

  /**
   * Where each of {@code keys} was first seen; keys with no row (e.g. deleted by retention) are absent.
   *
   * @throws SQLException on database failure
   */
  public Map<String, StoredClaim> lookup(Connection c, String scope, Collection<String> keys)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(lookupSql)) {
      ps.setString(1, scope);
      ps.setObject(2, keys.toArray(String[]::new));
      Map<String, StoredClaim> found = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.put(rs.getString(1), new StoredClaim(rs.getString(2), rs.getInt(3), rs.getLong(4),
              "D".equals(rs.getString(5))));
        }
      }
      return found;
    }
  }

  /**
   * Claims {@code candidate}'s key directly as dead-lettered; false if a row for the key already exists
   * (waiting, like every claim, for a concurrent claimer of the key to commit or roll back).
   *
   * @throws SQLException on database failure
   */
  public boolean claimDead(Connection c, String scope, Candidate<?, ?> candidate) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(claimDeadSql)) {
      ps.setString(1, scope);
      ps.setString(2, candidate.key());
      ps.setString(3, candidate.record().topic());
      ps.setInt(4, candidate.record().partition());
      ps.setLong(5, candidate.record().offset());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Records {@code candidate}'s key with status dead-lettered ({@code deadLettered}) or processed,
   * overwriting an existing row for the key.
   *
   * @throws SQLException on database failure
   */
  public void mark(Connection c, String scope, Candidate<?, ?> candidate, boolean deadLettered)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(markSql)) {
      ps.setString(1, scope);
      ps.setString(2, candidate.key());
      ps.setString(3, candidate.record().topic());
      ps.setInt(4, candidate.record().partition());
      ps.setLong(5, candidate.record().offset());
      ps.setString(6, deadLettered ? "D" : "P");
      ps.executeUpdate();
    }
  }
}
