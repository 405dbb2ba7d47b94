package io.github.kafkadedup.spring.actuate;

import io.github.kafkadedup.consumer.internal.StoreInspection;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The store's health by the thresholds: the claim store answers, the relay's backlog is younger than
 * {@code outboxMaxAge}, at most {@code deadLettersMax} dead letters wait for an operator, and retention keeps
 * no generation that ended more than {@code retentionMaxLag} past the dedup window. Read-only: each check runs
 * in a read-only transaction with a statement timeout, rolled back.
 */
public final class DedupStoreCheck {
  private final DataSource dataSource;
  private final DedupSchema schema;
  private final Thresholds thresholds;

  /**
   * The thresholds of the checks.
   *
   * @param outboxMaxAge the oldest unpublished outbox row may be this old
   * @param deadLettersMax this many unresolved dead letters (pending, published, held) are accepted
   * @param retentionWindow the dedup window retention keeps, or {@code null} when unknown (check skipped)
   * @param retentionMaxLag retention may lag this far behind the window
   * @param timeout the statement timeout of the queries
   */
  public record Thresholds(Duration outboxMaxAge, long deadLettersMax, @Nullable Duration retentionWindow,
      Duration retentionMaxLag, Duration timeout) {}

  /**
   * The outcome of one check of the store.
   *
   * @param reachable whether the claim store answered
   * @param problems one line per threshold crossed (empty: healthy)
   * @param details what was measured, with the thresholds, for JSON
   */
  public record Result(boolean reachable, List<String> problems, Map<String, Object> details) {}

  /**
   * @param dataSource the database of the claim tables
   * @param schema where the migrations created them
   * @param thresholds the thresholds
   */
  public DedupStoreCheck(DataSource dataSource, DedupSchema schema, Thresholds thresholds) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.schema = Objects.requireNonNull(schema, "schema");
    this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
  }

  /** @return the store's state against the thresholds; unreachable (with the error) if the database fails */
  public Result check() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("schema", schema.schema() + (schema.tablePrefix().isEmpty() ? "" : " prefix " + schema.tablePrefix()));
    StoreInspection.Snapshot s;
    try {
      s = read(c -> StoreInspection.snapshot(c, schema));
    } catch (SQLException | RuntimeException e) {
      details.put("claimStore", "unreachable");
      details.put("error", e.getClass().getName() + ": " + e.getMessage());
      return new Result(false, List.of("claim store unreachable: " + e.getMessage()), details);
    }
    details.put("claimStore", "reachable");
    List<String> problems = new ArrayList<>();
    details.put("outbox", outbox(s, problems));
    details.put("deadLetters", deadLetters(s, problems));
    details.put("retention", retention(s, problems));
    details.put("databaseTime", s.databaseTime().toString());
    details.put("problems", problems);
    return new Result(true, problems, details);
  }

  /**
   * Looks one key up.
   *
   * @param scope the consumer's scope
   * @param key the dedup key
   * @return its claims and dead letters
   * @throws SQLException if the database fails
   */
  // KeyReport lives in the engine's consumer.internal (exported to this module only); see DedupEndpoint
  @SuppressWarnings("exports")
  public StoreInspection.KeyReport lookup(String scope, String key) throws SQLException {
    return read(c -> StoreInspection.lookup(c, schema, scope, key));
  }

  private Map<String, @Nullable Object> outbox(StoreInspection.Snapshot s, List<String> problems) {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    out.put("rows", s.outboxRows());
    out.put("oldestAgeSeconds", s.outboxOldestAge() == null ? null : s.outboxOldestAge().toSeconds());
    out.put("maxAgeSeconds", thresholds.outboxMaxAge().toSeconds());
    if (s.outboxOldestAge() != null && s.outboxOldestAge().compareTo(thresholds.outboxMaxAge()) > 0) {
      problems.add("outbox: oldest unpublished row is " + s.outboxOldestAge().toSeconds() + " s old (max "
          + thresholds.outboxMaxAge().toSeconds() + " s, dedup.health.outbox-max-age): is a relay running?");
    }
    return out;
  }

  private Map<String, Object> deadLetters(StoreInspection.Snapshot s, List<String> problems) {
    Map<String, Object> out = new LinkedHashMap<>(s.deadLetters());
    out.put("unresolved", s.unresolvedDeadLetters());
    out.put("max", thresholds.deadLettersMax());
    if (s.unresolvedDeadLetters() > thresholds.deadLettersMax()) {
      problems.add("dead letters: " + s.unresolvedDeadLetters() + " wait for an operator (max "
          + thresholds.deadLettersMax() + ", dedup.health.dead-letters-max): kafka-dedup dead-letters list");
    }
    return out;
  }

  private Map<String, @Nullable Object> retention(StoreInspection.Snapshot s, List<String> problems) {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    Duration window = thresholds.retentionWindow();
    out.put("liveGenerations", s.liveGenerations());
    out.put("oldestGenerationEnd", s.oldestGenerationEnd() == null ? null : s.oldestGenerationEnd().toString());
    out.put("window", window == null ? "unknown (dedup.retention.window not set): not checked" : window.toString());
    out.put("maxLagSeconds", thresholds.retentionMaxLag().toSeconds());
    if (window != null && s.oldestGenerationEnd() != null) {
      Duration behind = Duration.between(s.oldestGenerationEnd(), s.databaseTime()).minus(window);
      out.put("behindSeconds", Math.max(0, behind.toSeconds()));
      if (behind.compareTo(thresholds.retentionMaxLag()) > 0) {
        problems.add("retention: a generation that ended " + behind.toSeconds() + " s past the window is still "
            + "live (max " + thresholds.retentionMaxLag().toSeconds() + " s, dedup.health.retention-max-lag): "
            + "is the retention job running?");
      }
    }
    return out;
  }

  private interface Query<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T read(Query<T> query) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("SET TRANSACTION READ ONLY");
        st.execute("SET LOCAL statement_timeout = " + thresholds.timeout().toMillis());
        return query.run(c);
      } finally {
        c.rollback();
        c.setAutoCommit(autoCommit);
      }
    }
  }
}
