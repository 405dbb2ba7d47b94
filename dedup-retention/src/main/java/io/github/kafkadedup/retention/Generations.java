package io.github.kafkadedup.retention;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The maintenance side of the claim generations, for the retention job: reads the registry and calls the
 * migration's SECURITY DEFINER functions (so the runtime role needs no DDL right). Each call is its own
 * autocommit transaction with a lock timeout; a call that times out on a lock is retried a few times, so
 * claimers never wait long behind a switch or a drop.
 */
public final class Generations {
  private static final Logger log = LoggerFactory.getLogger(Generations.class);
  /** How many generations after the current one have partitions ready. */
  public static final int AHEAD = 2;
  private static final int LOCK_TIMEOUT_MS = 5_000;
  private static final int ATTEMPTS = 3;
  private static final Duration PAUSE = Duration.ofSeconds(1);

  private final DedupSchema schema;

  /** @param schema where the tables are */
  public Generations(DedupSchema schema) {
    this.schema = schema;
  }

  /**
   * One live generation.
   *
   * @param generation its number; 0 is V1's {@code processed_messages}
   * @param startedAt when it became current (for generation 0: the oldest V1 claim, or {@code null})
   * @param endedAt when the next one became current; {@code null} for the current generation
   */
  public record Generation(int generation, @Nullable Instant startedAt, @Nullable Instant endedAt) {}

  /** The live generations, oldest first; the last is current. */
  public List<Generation> list(Connection c) throws SQLException {
    List<Generation> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT generation, CASE WHEN started_at > '-infinity' THEN "
        + "started_at END, lead(started_at) OVER (ORDER BY generation) FROM " + schema.generations()
        + " ORDER BY generation"); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Generation(rs.getInt(1), instant(rs.getTimestamp(2)), instant(rs.getTimestamp(3))));
      }
    }
    return out;
  }

  /** The database's clock (the one generations start by). */
  public Instant databaseNow(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT now()"); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getTimestamp(1).toInstant();
    }
  }

  /**
   * How long ago a generation must have ended for this role to drop it: the database's rules (migration V6's
   * {@code dedup_retention_floor()}: zero for the owner, else the greater of its minimum window and replay
   * horizon); zero on a schema without them.
   */
  public Duration retentionFloor(Connection c) throws SQLException {
    String function = schema.function("dedup_retention_floor");
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regproc(?) IS NOT NULL "
        + "AND has_function_privilege(to_regproc(?)::oid, 'EXECUTE')")) {
      ps.setString(1, function);
      ps.setString(2, function);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || !rs.getBoolean(1)) {
          return Duration.ZERO; // an older schema, or no grant: the drop function still enforces the rules
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT extract(epoch FROM " + function + "())::bigint");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return Duration.ofSeconds(rs.getLong(1));
    }
  }

  /** Creates the missing partitions up to {@link #AHEAD} generations after the current one; returns how many. */
  public int prepare(Connection c) throws SQLException {
    return retried(c, "creating partitions", "SELECT " + schema.function("dedup_prepare_generations") + "(" + AHEAD
        + ", " + LOCK_TIMEOUT_MS + ")", ps -> { }).intValue();
  }

  /** Makes the next generation current (its partition must exist); returns its number. */
  public int switchGeneration(Connection c) throws SQLException {
    return retried(c, "switching the generation", "SELECT " + schema.function("dedup_switch_generation") + "("
        + LOCK_TIMEOUT_MS + ")", ps -> { }).intValue();
  }

  /** How many claims generation {@code g} holds (a count of one partition, or of V1's table for 0). */
  public long count(Connection c, int g) throws SQLException {
    String sql = g == 0 ? "SELECT count(*) FROM " + schema.processedMessages()
        : "SELECT count(*) FROM " + schema.claims() + " WHERE generation = " + g;
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Drops generation {@code g} if it ended before {@code cutoff} and is not current; false if it did not qualify. */
  public boolean drop(Connection c, int g, Instant cutoff) throws SQLException {
    return retried(c, "dropping generation " + g, "SELECT " + schema.function("dedup_drop_generation") + "(?, ?, "
        + LOCK_TIMEOUT_MS + ")::int", ps -> {
          ps.setInt(1, g);
          ps.setTimestamp(2, Timestamp.from(cutoff));
        }).intValue() == 1;
  }

  private Number retried(Connection c, String what, String sql, Binder binder) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        binder.bind(ps);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return (Number) rs.getObject(1);
        }
      } catch (SQLException e) {
        if (!"55P03".equals(e.getSQLState()) || attempt >= ATTEMPTS) {
          throw e;
        }
        log.info("{} in {}: lock not available within {} ms (attempt {}/{}), retrying", what, schema.claims(),
            LOCK_TIMEOUT_MS, attempt, ATTEMPTS);
        try {
          Thread.sleep(PAUSE.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static @Nullable Instant instant(@Nullable Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }
}
