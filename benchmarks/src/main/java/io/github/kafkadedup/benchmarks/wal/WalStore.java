package io.github.kafkadedup.benchmarks.wal;

import io.github.kafkadedup.consumer.internal.Candidate;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** A claim table as the harness drives it: created, pre-filled, claimed into, and expired. */
interface WalStore {
  /** The store of {@code variant}. */
  static WalStore of(WalVariant variant) {
    return switch (variant.store) {
      case NONE -> new NoStore();
      case V1 -> new V1Store();
      case V2 -> new V2Store(variant.keys);
    };
  }

  /**
   * Creates the tables (on a freshly migrated database) and fills them: {@code live} keys that stay,
   * and {@code expired} older keys that retention removes later. Runs in autocommit.
   */
  void prefill(Connection c, long live, long expired) throws SQLException;

  /** The tables to {@code VACUUM ANALYZE} after the pre-fill. */
  List<String> tables();

  /** Claims the batch's keys (all fresh) in the caller's transaction. */
  void claim(Connection c, List<Candidate<String, String>> batch) throws SQLException;

  /** Removes the expired keys as retention does; returns how many (0 if the store has none). */
  long expire(Connection c) throws SQLException;

  /** How {@link #expire} works, for the report. */
  String retentionMethod();

  /** The baseline: no claim table at all. */
  final class NoStore implements WalStore {
    @Override
    public void prefill(Connection c, long live, long expired) {}

    @Override
    public List<String> tables() {
      return List.of();
    }

    @Override
    public void claim(Connection c, List<Candidate<String, String>> batch) {}

    @Override
    public long expire(Connection c) {
      return 0;
    }

    @Override
    public String retentionMethod() {
      return "none";
    }
  }
}
