package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.migrations.DedupKeys;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Read-only queries on the library's tables for health checks and operators: a {@link #snapshot} (outbox backlog,
 * unresolved dead letters, the oldest live generation of claims) and a {@link #lookup} of one key (its claims and
 * its dead letters). Each runs a few indexed statements on the caller's connection and needs only {@code SELECT}.
 *
 * <p>Example: <pre>{@code
 * try (Connection c = dataSource.getConnection()) {
 *   StoreInspection.KeyReport report = StoreInspection.lookup(c, DedupSchema.DEFAULT, "billing", "order-42");
 *   System.out.println(report.claims() + " " + report.deadLetters());
 * }
 * }</pre>
 */
public final class StoreInspection {
  private StoreInspection() {}

  /**
   * What the store holds now.
   *
   * @param databaseTime the database's clock ({@code now()}), which every age is measured against
   * @param outboxRows rows waiting for a relay (0 without an outbox table)
   * @param outboxOldestAge age of the oldest of them, or {@code null} when there is none
   * @param deadLetters unresolved dead letters by state ({@code pending}, {@code published}, {@code held}), every
   *     state present with 0 when it has none; empty without a dead-letter table
   * @param oldestGenerationEnd when the oldest live generation of claims ended (the next one started), or
   *     {@code null} while a single generation is live
   * @param liveGenerations live generations of claims
   */
  public record Snapshot(Instant databaseTime, long outboxRows, @Nullable Duration outboxOldestAge,
      Map<String, Long> deadLetters, @Nullable Instant oldestGenerationEnd, int liveGenerations) {

    /** @return pending + published + held dead letters */
    public long unresolvedDeadLetters() {
      return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * One claim of a key.
   *
   * @param generation its generation (0: the V1 table {@code processed_messages})
   * @param status {@code P} processed, {@code D} dead-lettered
   * @param partition the partition it was first seen on
   * @param offset the offset it was first seen at
   * @param generationStartedAt when its generation started (null for the V1 table)
   * @param generationEndedAt when its generation ended, null while current: the key was claimed between the two
   * @param claimedAt when it was claimed, where stored (the V1 table only)
   */
  public record Claim(int generation, String status, @Nullable Integer partition, @Nullable Long offset,
      @Nullable Instant generationStartedAt, @Nullable Instant generationEndedAt, @Nullable Instant claimedAt) {}

  /**
   * One dead letter of a key.
   *
   * @param id its id (for {@code kafka-dedup dead-letters show})
   * @param state pending, published, held, replayed or discarded
   * @param reason why it was dead-lettered
   * @param createdAt when
   * @param source where it was consumed: topic-partition@offset
   */
  public record DeadLetterRef(long id, String state, String reason, Instant createdAt, String source) {}

  /**
   * What the store knows about one key.
   *
   * @param scope the scope asked about
   * @param key the key asked about
   * @param keyId the key's id in the claim table
   * @param scopeKnown whether any consumer registered the scope
   * @param claims its claims (normally zero or one)
   * @param deadLetters its dead letters, oldest first
   */
  public record KeyReport(String scope, String key, UUID keyId, boolean scopeKnown, List<Claim> claims,
      List<DeadLetterRef> deadLetters) {}

  /**
   * Reads the store's state.
   *
   * @param c a connection to the database of the tables
   * @param schema where the migrations created them
   * @return the snapshot
   * @throws SQLException if the database fails (or the claim tables do not exist)
   */
  public static Snapshot snapshot(Connection c, DedupSchema schema) throws SQLException {
    Instant now = Objects.requireNonNull(instant(c, "SELECT now()"));
    long outboxRows = 0;
    Duration oldest = null;
    if (exists(c, schema.outbox())) {
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*), min(created_at) FROM " + schema.outbox());
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        outboxRows = rs.getLong(1);
        Timestamp first = rs.getTimestamp(2);
        oldest = first == null ? null : Duration.between(first.toInstant(), now);
      }
    }
    Map<String, Long> deadLetters = new LinkedHashMap<>();
    if (exists(c, schema.deadLetters())) {
      for (String state : List.of("pending", "published", "held")) {
        deadLetters.put(state, 0L);
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT state, count(*) FROM " + schema.deadLetters()
          + " WHERE state IN ('pending', 'published', 'held') GROUP BY state");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          deadLetters.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*), (SELECT min(started_at) FROM "
        + schema.generations() + " WHERE generation > (SELECT min(generation) FROM " + schema.generations()
        + ")) FROM " + schema.generations());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      Timestamp end = rs.getTimestamp(2);
      return new Snapshot(now, outboxRows, oldest, deadLetters, end == null ? null : end.toInstant(), rs.getInt(1));
    }
  }

  /**
   * Looks one key up: its claims in every live generation (and in the V1 table while it is live) and its dead
   * letters.
   *
   * @param c a connection to the database of the tables
   * @param schema where the migrations created them
   * @param scope the consumer's scope
   * @param key the dedup key, as the key strategy derives it
   * @return what the store knows
   * @throws SQLException if the database fails
   */
  public static KeyReport lookup(Connection c, DedupSchema schema, String scope, String key) throws SQLException {
    UUID keyId = DedupKeys.id(key);
    Integer scopeId = null;
    try (PreparedStatement ps = c.prepareStatement(KeyLookupSql.scopeId(schema))) {
      ps.setString(1, scope);
      try (ResultSet rs = ps.executeQuery()) {
        scopeId = rs.next() ? rs.getInt(1) : null;
      }
    }
    List<Claim> claims = new ArrayList<>();
    if (scopeId != null) {
      claims.addAll(claims(c, KeyLookupSql.claims(schema, false), scopeId, keyId));
    }
    if (exists(c, schema.processedMessages())) {
      claims.addAll(claims(c, KeyLookupSql.legacyClaims(schema, false), scope, key));
    }
    return new KeyReport(scope, key, keyId, scopeId != null, claims, deadLetters(c, schema, scope, keyId));
  }

  /** The claims {@code sql} finds, read by the labels of {@link KeyLookupSql}'s statements. */
  private static List<Claim> claims(Connection c, String sql, Object... args) throws SQLException {
    List<Claim> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        boolean claimedAt = hasColumn(rs, "claimedAt"); // V1's table only
        while (rs.next()) {
          out.add(new Claim(rs.getInt("generation"), rs.getString("status"), rs.getObject("partition", Integer.class),
              rs.getObject("offset", Long.class), toInstant(rs.getTimestamp("generationStartedAt")),
              toInstant(rs.getTimestamp("generationEndedAt")),
              claimedAt ? toInstant(rs.getTimestamp("claimedAt")) : null));
        }
      }
    }
    return out;
  }

  private static boolean hasColumn(ResultSet rs, String label) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      if (meta.getColumnLabel(i).equals(label)) {
        return true;
      }
    }
    return false;
  }

  /** The key's dead letters, oldest first (the shared statement lists them newest first). */
  private static List<DeadLetterRef> deadLetters(Connection c, DedupSchema schema, String scope, UUID keyId)
      throws SQLException {
    List<DeadLetterRef> out = new ArrayList<>();
    if (!exists(c, schema.deadLetters())) {
      return out;
    }
    try (PreparedStatement ps = c.prepareStatement(KeyLookupSql.deadLetters(schema))) {
      ps.setString(1, scope);
      ps.setObject(2, keyId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new DeadLetterRef(rs.getLong("id"), rs.getString("state"), rs.getString("reason"),
              Objects.requireNonNull(toInstant(rs.getTimestamp("createdAt"))),
              rs.getString("topic") + "-" + rs.getObject("partition") + "@" + rs.getObject("offset")));
        }
      }
    }
    return out.reversed();
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static @Nullable Instant instant(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return toInstant(rs.getTimestamp(1));
    }
  }

  private static @Nullable Instant toInstant(@Nullable Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
