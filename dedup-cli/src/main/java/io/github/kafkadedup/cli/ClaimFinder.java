package io.github.kafkadedup.cli;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Finds (and, for {@code forget}, deletes) the claim of one key in one scope: in the V2 claim table by
 * {@code (scope_id, key_id)}, and in V1's {@code processed_messages} by the key's text while that table is
 * the live generation 0. One key is claimed in at most one generation; both tables are searched anyway so
 * that nothing is hidden from the operator.
 */
final class ClaimFinder {
  private final Tables t;
  private final KeyOptions key;

  ClaimFinder(Tables t, KeyOptions key) {
    this.t = t;
    this.key = key;
  }

  /** The scope's id, or null if no consumer ever registered that scope. */
  @Nullable Integer scopeId() throws SQLException {
    List<Map<String, @Nullable Object>> rows = Sql.rows(t.c, "SELECT scope_id FROM " + t.scopes() + " WHERE scope = ?",
        key.scope);
    return rows.isEmpty() ? null : ((Number) rows.getFirst().get("scope_id")).intValue();
  }

  /** The claims found (normally zero or one), each with its generation's start and end. */
  List<Map<String, @Nullable Object>> find() throws SQLException {
    return run(false);
  }

  /**
   * The key's dead letters in this scope (any state), newest first; empty if the dead-letter table (schema
   * version 5) is missing or unreadable.
   */
  List<Map<String, @Nullable Object>> deadLetters() throws SQLException {
    if (!t.exists(t.deadLetters()) || !t.may(t.deadLetters(), "SELECT")) {
      return new ArrayList<>();
    }
    return Sql.rows(t.c, "SELECT id, state, reason, created_at AS \"createdAt\", source_topic AS topic,"
        + " source_partition AS partition, source_offset AS offset, dlt_topic AS \"deadLetterTopic\","
        + " published_at AS \"publishedAt\", exception_class AS \"exceptionClass\","
        + " exception_message AS \"exceptionMessage\", action_at AS \"actionAt\""
        + " FROM " + t.deadLetters() + " WHERE scope = ? AND key_id = ? ORDER BY id DESC", key.scope, key.id());
  }

  /** Deletes the claims and returns them (the caller's transaction decides whether that sticks). */
  List<Map<String, @Nullable Object>> delete() throws SQLException {
    return run(true);
  }

  private List<Map<String, @Nullable Object>> run(boolean delete) throws SQLException {
    List<Map<String, @Nullable Object>> out = new ArrayList<>();
    Integer scopeId = scopeId();
    Connection c = t.c;
    if (scopeId != null) {
      String claims = delete
          ? "DELETE FROM " + t.claims() + " WHERE scope_id = ? AND key_id = ? RETURNING *"
          : "SELECT * FROM " + t.claims() + " WHERE scope_id = ? AND key_id = ?";
      out.addAll(Sql.rows(c, "WITH found AS (" + claims + ") SELECT f.generation, f.status::text AS status,"
          + " NULL::text AS topic, f.kafka_partition AS partition, f.kafka_offset AS offset,"
          + " g.started_at AS \"generationStartedAt\", (SELECT min(started_at) FROM " + t.generations()
          + " n WHERE n.generation > f.generation) AS \"generationEndedAt\""
          + " FROM found f LEFT JOIN " + t.generations() + " g ON g.generation = f.generation", scopeId, key.id()));
    }
    if (key.text() != null && t.exists(t.legacy())) {
      String legacy = delete
          ? "DELETE FROM " + t.legacy() + " WHERE scope = ? AND message_key = ? RETURNING *"
          : "SELECT * FROM " + t.legacy() + " WHERE scope = ? AND message_key = ?";
      out.addAll(Sql.rows(c, "WITH found AS (" + legacy + ") SELECT 0 AS generation, status::text AS status, topic,"
          + " kafka_partition AS partition, kafka_offset AS offset, NULL::timestamptz AS \"generationStartedAt\","
          + " (SELECT min(started_at) FROM " + t.generations() + " WHERE generation > 0) AS \"generationEndedAt\","
          + " processed_at AS \"claimedAt\" FROM found", key.scope, key.text()));
    }
    return out;
  }
}
