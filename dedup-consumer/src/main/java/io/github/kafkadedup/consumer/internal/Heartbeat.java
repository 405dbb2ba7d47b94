package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.migrations.DedupSchema;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer's row in {@code dedup_heartbeats} (migration V7), written on the consumer's own thread at most
 * once per interval, never per record: one autocommit upsert that changes no indexed column (a HOT update).
 * {@link #polled} after every poll, {@link #progressed} after every completed batch; the row carries when
 * the loop last polled ({@code seen_at}) and last completed a batch ({@code progress_at}), both on the
 * database's clock. A failed write is logged (WARN once, then DEBUG) and never stops the consumer; a missing
 * table or right turns the heartbeat off with one WARN naming the fix.
 */
public final class Heartbeat {
  private static final Logger log = LoggerFactory.getLogger(EngineLoggers.CONSUMER);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final String HOST = host();
  /** Rows of the scope not seen for this long are deleted when a consumer starts. */
  private static final String FORGET_AFTER = "7 days";

  /** A heartbeat that writes nothing (interval zero). */
  public static final Heartbeat OFF = new Heartbeat();

  private final @Nullable DataSource dataSource;
  private final String upsert;
  private final String cleanup;
  private final String stop;
  private final String scope;
  private final @Nullable String groupId;
  private final String instance;
  private final long intervalNanos;
  private final long startedNanos = System.nanoTime();
  private long lastWriteNanos;
  private long progressNanos;
  private boolean progressSeen;
  private long records;
  private boolean attempted;
  private boolean written;
  private boolean failing;
  private volatile boolean off;

  private Heartbeat() {
    this.dataSource = null;
    this.upsert = this.cleanup = this.stop = this.scope = this.instance = "";
    this.groupId = null;
    this.intervalNanos = 0;
    this.off = true;
  }

  /**
   * @param groupId the Kafka group the consumer belongs to, or null if none
   * @param interval at most one write per interval; {@link Duration#ZERO} for none (use {@link #OFF})
   */
  public Heartbeat(DataSource dataSource, DedupSchema schema, String scope, @Nullable String groupId,
      Duration interval) {
    this.dataSource = dataSource;
    this.scope = scope;
    this.groupId = groupId;
    this.intervalNanos = interval.toNanos();
    this.instance = HOST + "/" + ManagementFactory.getRuntimeMXBean().getPid() + "#" + INSTANCES.incrementAndGet();
    String table = schema.heartbeats();
    this.upsert = "INSERT INTO " + table + " AS h (scope, instance, group_id, member_id, host, started_at, seen_at,"
        + " progress_at, records) VALUES (?, ?, ?, ?, ?, now() - ? * interval '1 millisecond', now(),"
        + " now() - ? * interval '1 millisecond', ?) ON CONFLICT (scope, instance) DO UPDATE SET"
        + " member_id = excluded.member_id, seen_at = excluded.seen_at, progress_at = excluded.progress_at,"
        + " records = excluded.records, stopped_at = NULL";
    this.cleanup = "DELETE FROM " + table + " WHERE scope = ? AND seen_at < now() - interval '" + FORGET_AFTER + "'";
    this.stop = "UPDATE " + table + " SET seen_at = now(), stopped_at = now(), records = ? WHERE scope = ?"
        + " AND instance = ?";
  }

  /** After a batch of {@code count} records completed (committed). */
  public void progressed(int count) {
    records += count;
    progressNanos = System.nanoTime();
    progressSeen = true;
  }

  /**
   * After a poll (with or without records): writes the row if the interval has passed since the last write.
   *
   * @param memberId the consumer's current member id in its group, read only when a write is due
   */
  public void polled(Supplier<@Nullable String> memberId) {
    long now = System.nanoTime();
    if (off || (attempted && now - lastWriteNanos < intervalNanos)) {
      return;
    }
    lastWriteNanos = now;
    attempted = true;
    write(memberId.get(), now);
  }

  /** When the consumer stops cleanly: marks the row stopped. */
  public void stopped() {
    if (off || !written) {
      return;
    }
    execute(stop, ps -> {
      ps.setLong(1, records);
      ps.setString(2, scope);
      ps.setString(3, instance);
    });
  }

  private void write(@Nullable String memberId, long now) {
    if (!written) {
      execute(cleanup, ps -> ps.setString(1, scope));
    }
    boolean ok = execute(upsert, ps -> {
      ps.setString(1, scope);
      ps.setString(2, instance);
      ps.setString(3, groupId);
      ps.setString(4, memberId == null || memberId.isEmpty() ? null : memberId);
      ps.setString(5, HOST);
      ps.setLong(6, TimeUnit.NANOSECONDS.toMillis(now - startedNanos));
      if (progressSeen) {
        ps.setLong(7, TimeUnit.NANOSECONDS.toMillis(now - progressNanos));
      } else {
        ps.setNull(7, java.sql.Types.BIGINT);
      }
      ps.setLong(8, records);
    });
    written |= ok;
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private boolean execute(String sql, Binder binder) {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      binder.bind(ps);
      ps.executeUpdate();
      if (failing) {
        log.info("[{}] heartbeat written again", scope);
        failing = false;
      }
      return true;
    } catch (SQLException e) {
      String state = String.valueOf(e.getSQLState());
      // undefined table or schema, insufficient privilege: a deployment's choice, not an outage
      if (state.equals("42P01") || state.equals("3F000") || state.equals("42501")) {
        off = true;
        log.warn("[{}] heartbeat off ({}): kafka-dedup status cannot show this consumer's last activity. Run the "
            + "migrations (schema version 7 adds dedup_heartbeats) and grant the runtime role SELECT, INSERT, "
            + "UPDATE, DELETE on it (db/kafka-dedup-grants.sql)", scope, e.getMessage());
      } else if (!failing) {
        failing = true;
        log.warn("[{}] heartbeat not written ({}); the consumer goes on, retrying every interval", scope,
            e.toString());
      } else {
        log.debug("[{}] heartbeat not written again: {}", scope, e.toString());
      }
      return false;
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? "unknown-host" : env;
    }
  }
}
