package io.github.kafkadedup.outbox.internal;

import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.Outbox;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;

/**
 * A relay's dedicated connection (autocommit): it holds the advisory locks of the owned lanes for as long
 * as it lives, listens on the outbox's channel, and runs the relay's statements. Closing it (or the
 * process dying) releases the lanes.
 */
final class RelaySession implements AutoCloseable {
  private final Connection connection;
  private final PGConnection pg;
  private final int lockSpace;
  private final Set<Integer> owned = new TreeSet<>();
  private final String acquire;
  private final String columns;
  private final String delete;
  private final String deletePublished;
  private final String holdDeadLetter;
  private final String holdRow;
  private final String stats;
  private final String statsAll;
  private @Nullable String setAsideTable;
  private String[] excludedTopics = new String[0];

  private RelaySession(Connection connection, DedupSchema schema) throws SQLException {
    this.connection = connection;
    this.pg = connection.unwrap(PGConnection.class);
    // the first key of the two-int advisory lock: one space per outbox table, apart from other users' locks
    this.lockSpace = ("kafka-dedup outbox " + schema.outbox()).hashCode();
    String table = schema.outbox();
    this.acquire = "SELECT l FROM (SELECT l FROM generate_series(0, " + (Outbox.LANES - 1) + ") AS g(l) "
        + "WHERE l <> ALL(?::int[]) ORDER BY (l + ?) % " + Outbox.LANES + " OFFSET 0) free "
        + "WHERE pg_try_advisory_lock(?, l) LIMIT ?"; // LIMIT stops the scan: no lock beyond the wanted count
    this.columns = "SELECT id, lane, topic, record_key, record_value, headers, dead_letter_id FROM " + table;
    this.delete = "DELETE FROM " + table + " WHERE id = ANY(?::bigint[])";
    // only for batches with dead letters, so the plain delete stays one statement on one table; one
    // statement (autocommit) so that a published dead letter is never left pending with its row gone
    String deadLetters = schema.deadLetters();
    this.deletePublished = "WITH d AS (" + delete + ") UPDATE " + deadLetters + " SET state = 'published', "
        + "published_at = now() WHERE id = ANY(?::bigint[]) AND state = 'pending'";
    this.holdDeadLetter = "WITH d AS (DELETE FROM " + table + " WHERE id = ?) UPDATE " + deadLetters
        + " SET state = 'held', attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'pending'";
    this.holdRow = "WITH d AS (DELETE FROM " + table + " WHERE id = ? RETURNING topic, record_key, record_value, "
        + "headers) INSERT INTO " + deadLetters + " (state, reason, source_topic, record_key, record_value, headers, "
        + "exception_class, exception_message, attempts, last_error) SELECT 'held', 'unpublishable', topic, "
        + "record_key, record_value, headers, ?, ?, 1, ? FROM d";
    this.statsAll = "SELECT count(*), coalesce((extract(epoch FROM clock_timestamp() - min(created_at)) * 1000)"
        + "::bigint, 0) FROM " + table;
    this.stats = statsAll + " WHERE lane = ANY(?::int[])";
  }

  static RelaySession open(DataSource dataSource, DedupSchema schema) throws SQLException {
    Connection c = dataSource.getConnection();
    try {
      c.setAutoCommit(true);
      RelaySession session = new RelaySession(c, schema);
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT to_regclass('" + schema.outboxTopicsSetAside() + "') IS NOT NULL")) {
        rs.next();
        session.setAsideTable = rs.getBoolean(1) ? schema.outboxTopicsSetAside() : null;
      }
      try (Statement s = c.createStatement()) {
        s.execute("LISTEN \"" + OutboxWriter.channel(schema) + "\"");
        // the relay's only writes are the DELETEs of published rows: one lost in a server crash makes its rows
        // publish again (with the same idempotency keys), as a relay killed before its DELETE does. So the
        // relay does not wait for the WAL flush (nor a synchronous standby) at every batch's commit.
        s.execute("SET synchronous_commit = off");
      }
      return session;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  Set<Integer> owned() {
    return owned;
  }

  /** Tries to lock up to {@code wanted} more free lanes, starting at a random lane; returns how many. */
  int acquire(int wanted) throws SQLException {
    if (wanted <= 0) {
      return 0;
    }
    try (PreparedStatement ps = connection.prepareStatement(acquire)) {
      ps.setArray(1, connection.createArrayOf("int4", owned.toArray()));
      ps.setInt(2, ThreadLocalRandom.current().nextInt(Outbox.LANES));
      ps.setInt(3, lockSpace);
      ps.setInt(4, wanted);
      int added = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          owned.add(rs.getInt(1));
          added++;
        }
      }
      return added;
    }
  }

  /** The oldest {@code limit} rows of the owned lanes, in id order. */
  List<OutboxRow> fetch(int limit) throws SQLException {
    return fetch(limit, 0, -1);
  }

  /**
   * The oldest {@code limit} rows of the owned lanes, in id order, leaving out ids from {@code skipFrom} to
   * {@code skipTo} (a batch still in flight; none when {@code skipTo < skipFrom}). The two sides are read by
   * two index range scans, so the rows in flight are not visited again. Owning every lane, the lane
   * condition is left out: it would be compared against 64 values for every row read.
   */
  List<OutboxRow> fetch(int limit, long skipFrom, long skipTo) throws SQLException {
    boolean allLanes = owned.size() == Outbox.LANES;
    boolean skip = skipTo >= skipFrom;
    String sql = !skip ? columns + where(allLanes, null) + " ORDER BY id LIMIT ?"
        : "SELECT * FROM ((" + columns + where(allLanes, "id < ?") + " ORDER BY id LIMIT ?)"
            + " UNION ALL (" + columns + where(allLanes, "id > ?") + " ORDER BY id LIMIT ?))"
            + " below_and_above ORDER BY id LIMIT ?";
    List<OutboxRow> rows = new ArrayList<>(Math.min(limit, 10_000));
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      int p = 1;
      if (!skip) {
        p = bindWhere(ps, p, allLanes);
      } else {
        for (long bound : new long[] {skipFrom, skipTo}) {
          p = bindWhere(ps, p, allLanes);
          ps.setLong(p++, bound);
          ps.setInt(p++, limit);
        }
      }
      ps.setInt(p, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new OutboxRow(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getBytes(4), rs.getBytes(5),
              rs.getBytes(6), rs.getObject(7, Long.class)));
        }
      }
    }
    // this query sees every commit notified so far: drop those notifications (no round trip), so that they
    // do not pile up in the driver while a backlog drains without waiting
    pg.getNotifications();
    return rows;
  }

  /** The rows of these topics are not read (their topics are set aside, see {@link TopicGate}). */
  void excludeTopics(Set<String> topics) {
    excludedTopics = topics.toArray(new String[0]);
  }

  /** The WHERE clause of one side of {@link #fetch}: the owned lanes, the topics not set aside, {@code id}. */
  private String where(boolean allLanes, @Nullable String id) {
    List<String> conditions = new ArrayList<>(3);
    if (!allLanes) {
      conditions.add("lane = ANY(?::int[])");
    }
    if (excludedTopics.length > 0) {
      conditions.add("topic <> ALL(?::text[])");
    }
    if (id != null) {
      conditions.add(id);
    }
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  private int bindWhere(PreparedStatement ps, int first, boolean allLanes) throws SQLException {
    int p = first;
    if (!allLanes) {
      ps.setObject(p++, lanes());
    }
    if (excludedTopics.length > 0) {
      ps.setArray(p++, connection.createArrayOf("text", excludedTopics));
    }
    return p;
  }

  /** Records (or refreshes) a topic set aside, for {@code kafka-dedup status}; nothing on a schema before V6. */
  void recordSetAside(String topic, long sinceMillis, String reason, String relay) throws SQLException {
    if (setAsideTable == null) {
      return;
    }
    try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + setAsideTable + " (topic, since, reason, "
        + "relay) VALUES (?, to_timestamp(? / 1000.0), ?, ?) ON CONFLICT (topic) DO UPDATE SET checked_at = now(), "
        + "reason = excluded.reason, relay = excluded.relay")) {
      ps.setString(1, topic);
      ps.setLong(2, sinceMillis);
      ps.setString(3, reason);
      ps.setString(4, relay);
      ps.executeUpdate();
    }
  }

  /** Removes a topic's set-aside record: it can be written now. */
  void clearSetAside(String topic) throws SQLException {
    if (setAsideTable == null) {
      return;
    }
    try (PreparedStatement ps = connection.prepareStatement("DELETE FROM " + setAsideTable + " WHERE topic = ?")) {
      ps.setString(1, topic);
      ps.executeUpdate();
    }
  }

  private int[] lanes() {
    return owned.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Deletes published rows by id (never by range: a smaller id may commit later than a larger one); the
   * dead letters among them become {@code published} in the same statement.
   */
  void delete(List<OutboxRow> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    long[] deadLetters = rows.stream().map(OutboxRow::deadLetterId).filter(Objects::nonNull).mapToLong(Long::longValue)
        .toArray();
    try (PreparedStatement ps = connection.prepareStatement(deadLetters.length == 0 ? delete : deletePublished)) {
      ps.setObject(1, rows.stream().mapToLong(OutboxRow::id).toArray()); // binary int8[], no boxing
      if (deadLetters.length > 0) {
        ps.setObject(2, deadLetters);
      }
      ps.executeUpdate();
    }
  }

  /**
   * Sets {@code row}, which can never be published, aside in one statement: a dead letter's copy is deleted
   * and its dead letter becomes {@code held}; any other row moves to {@code dead_letters} as
   * {@code unpublishable}, {@code held}.
   */
  void hold(OutboxRow row, Exception failure) throws SQLException {
    String error = DeadLetterWriter.truncate(failure.toString(), DeadLetterWriter.MAX_MESSAGE_CHARS);
    Long deadLetter = row.deadLetterId();
    try (PreparedStatement ps = connection.prepareStatement(deadLetter != null ? holdDeadLetter : holdRow)) {
      ps.setLong(1, row.id());
      if (deadLetter != null) {
        ps.setString(2, error);
        ps.setLong(3, deadLetter);
      } else {
        ps.setString(2, failure.getClass().getName());
        ps.setString(3, DeadLetterWriter.truncate(String.valueOf(failure.getMessage()), DeadLetterWriter.MAX_MESSAGE_CHARS));
        ps.setString(4, error);
      }
      ps.executeUpdate();
    }
  }

  /** {@code [rows, age of the oldest in ms]} of the owned lanes. */
  long[] backlog() throws SQLException {
    boolean allLanes = owned.size() == Outbox.LANES;
    try (PreparedStatement ps = connection.prepareStatement(allLanes ? statsAll : stats)) {
      if (!allLanes) {
        ps.setObject(1, lanes());
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new long[] {rs.getLong(1), rs.getLong(2)};
      }
    }
  }

  /** Waits up to {@code millis} (at least 1) for a notification; true if one came. */
  boolean awaitNotification(long millis) throws SQLException {
    var notifications = pg.getNotifications((int) Math.max(1, Math.min(millis, Integer.MAX_VALUE)));
    return notifications != null && notifications.length > 0;
  }

  /**
   * Releases the lanes and the LISTEN and resets {@code synchronous_commit} explicitly, then closes: a pool (HikariCP) keeps the physical
   * connection open on close(), and with it every session-level lock. If the statement fails the connection
   * is broken: the server ended the session (and released its locks), and the pool evicts it.
   */
  @Override
  public void close() {
    owned.clear();
    try (Statement s = connection.createStatement()) {
      s.execute("SELECT pg_advisory_unlock_all()");
      s.execute("UNLISTEN *");
      s.execute("RESET synchronous_commit"); // the pool hands this connection to others next
    } catch (SQLException e) {
      // broken connection: its session, and so its locks, ended with it
    }
    try {
      connection.close();
    } catch (SQLException e) {
      // as above
    }
  }
}
