package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of the retention job on {@code processed_messages}. A batch deletes by {@code ctid} (a TID
 * scan: no index needed, and the inner {@code LIMIT} bounds each statement), found through the BRIN
 * index on {@code processed_at}; each statement runs in its own autocommit transaction. A {@code ctid}
 * is unique within one table only, so a partitioned table is pruned one leaf partition at a time
 * ({@link #tablesToPrune}): a {@code ctid} list applied to the parent would delete the rows at the same
 * positions in every partition.
 */
public final class RetentionStatements {
  private final String deleteSql;
  private final String oldestSql;
  private final @Nullable String scope;

  /**
   * @param table a plain table (or leaf partition) holding claims, schema-qualified
   * @param scope the only scope to delete from, or {@code null} for all
   */
  public RetentionStatements(String table, @Nullable String scope) {
    String scopeFilter = scope == null ? "" : " AND scope = ?";
    this.scope = scope;
    this.deleteSql = "DELETE FROM " + table + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + table
        + " WHERE processed_at < ?" + scopeFilter + " LIMIT ?)) AND processed_at < ?";
    this.oldestSql = "SELECT min(processed_at) FROM " + table + " WHERE processed_at < ?" + scopeFilter;
  }

  /** The leaf partitions of {@code table} if it is partitioned, else {@code table} itself. */
  public static List<String> tablesToPrune(Connection c, DedupSchema schema) throws SQLException {
    String table = schema.processedMessages();
    List<String> leaves = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT quote_ident(n.nspname) || '.' || quote_ident(r.relname)"
        + " FROM pg_partition_tree(?::regclass) t JOIN pg_class r ON r.oid = t.relid"
        + " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE t.isleaf ORDER BY 1")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          leaves.add(rs.getString(1));
        }
      }
    }
    return leaves.isEmpty() ? List.of(table) : leaves;
  }

  /** The database's clock (the one {@code processed_at} is written with). */
  public Instant databaseNow(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT now()"); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getTimestamp(1).toInstant();
    }
  }

  /** Deletes up to {@code limit} rows claimed before {@code cutoff}; returns how many. */
  public int deleteBatch(Connection c, Instant cutoff, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(deleteSql)) {
      int i = 1;
      ps.setTimestamp(i++, Timestamp.from(cutoff));
      if (scope != null) {
        ps.setString(i++, scope);
      }
      ps.setInt(i++, limit);
      ps.setTimestamp(i, Timestamp.from(cutoff));
      return ps.executeUpdate();
    }
  }

  /**
   * When the oldest remaining key was claimed, or {@code null} if there is none. {@code min()} cannot use
   * a BRIN index, so it first looks only just above {@code cutoff} (where the oldest rows are after a
   * run), and scans further only if nothing is found there.
   */
  public @Nullable Instant oldestKey(Connection c, Instant cutoff) throws SQLException {
    for (Duration probe : List.of(Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(36_500))) {
      try (PreparedStatement ps = c.prepareStatement(oldestSql)) {
        ps.setTimestamp(1, Timestamp.from(cutoff.plus(probe)));
        if (scope != null) {
          ps.setString(2, scope);
        }
        try (ResultSet rs = ps.executeQuery()) {
          Timestamp oldest = rs.next() ? rs.getTimestamp(1) : null;
          if (oldest != null) {
            return oldest.toInstant();
          }
        }
      }
    }
    return null;
  }
}
