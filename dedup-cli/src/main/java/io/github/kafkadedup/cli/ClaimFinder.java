package io.github.kafkadedup.cli;

import io.github.kafkadedup.consumer.internal.KeyLookupSql;
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
    List<Map<String, @Nullable Object>> rows = Sql.rows(t.c, KeyLookupSql.scopeId(t.schema), key.scope);
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
    return Sql.rows(t.c, KeyLookupSql.deadLetters(t.schema), key.scope, key.id());
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
      out.addAll(Sql.rows(c, KeyLookupSql.claims(t.schema, delete), scopeId, key.id()));
    }
    if (key.text() != null && t.exists(t.legacy())) {
      out.addAll(Sql.rows(c, KeyLookupSql.legacyClaims(t.schema, delete), key.scope, key.text()));
    }
    return out;
  }
}
