package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The database side of offsets-in-PostgreSQL mode: the owner generation of each partition this consumer
 * holds, and the fenced offset write that joins every dedup transaction.
 *
 * <p>{@link #acquire} bumps the generation of each newly assigned partition in {@code consumer_offsets}
 * (inserting the row, with {@code next_offset = -1} for "none stored", when absent) and remembers it.
 * {@link #beforeCommit} then moves each partition's {@code next_offset} forward in one statement,
 * guarded by {@code generation = ours}: when another consumer acquired a partition since, fewer rows
 * match, and the transaction fails with {@link DedupException.Kind#FENCED} and rolls back with the
 * business writes. Offsets never move backwards ({@code GREATEST}). Rows are locked in (topic,
 * partition) order, so concurrent acquirers cannot deadlock.
 */
public final class OffsetFence implements TransactionHook {
  private static final long NOT_OWNED = -1;
  private static final Comparator<TopicPartition> ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  private final DataSource dataSource;
  private final String scope;
  private final String acquireSql;
  private final String advanceSql;
  private final String inspectSql;
  private final Map<TopicPartition, Long> generations = new ConcurrentHashMap<>();

  /**
   * @param dataSource where {@code consumer_offsets} is
   * @param schema its schema and prefix
   * @param scope the dedup scope (the first column of the key)
   */
  public OffsetFence(DataSource dataSource, DedupSchema schema, String scope) {
    this.dataSource = dataSource;
    this.scope = scope;
    String table = schema.consumerOffsets();
    this.acquireSql = "INSERT INTO " + table + " AS o (scope, topic, kafka_partition, next_offset, generation)"
        + " SELECT ?, u.t, u.p, -1, 1 FROM unnest(?::text[], ?::int4[]) AS u(t, p)"
        + " ON CONFLICT (scope, topic, kafka_partition) DO UPDATE SET generation = o.generation + 1,"
        + " updated_at = now() RETURNING topic, kafka_partition, next_offset, generation";
    this.advanceSql = "UPDATE " + table + " AS o SET next_offset = GREATEST(o.next_offset, u.n), updated_at = now()"
        + " FROM unnest(?::text[], ?::int4[], ?::int8[], ?::int8[]) AS u(t, p, n, g)"
        + " WHERE o.scope = ? AND o.topic = u.t AND o.kafka_partition = u.p AND o.generation = u.g";
    this.inspectSql = "SELECT o.topic, o.kafka_partition, o.generation FROM " + table + " o"
        + " JOIN unnest(?::text[], ?::int4[]) AS u(t, p) ON o.topic = u.t AND o.kafka_partition = u.p"
        + " WHERE o.scope = ?";
  }

  /**
   * Takes ownership of {@code partitions} in one statement (its own transaction, in autocommit): bumps
   * their generations and returns their stored next offsets (partitions with none stored are absent).
   *
   * @throws SQLException if the database fails; then nothing is owned
   */
  public Map<TopicPartition, Long> acquire(Collection<TopicPartition> partitions) throws SQLException {
    List<TopicPartition> sorted = sorted(partitions);
    Map<TopicPartition, Long> acquired = new HashMap<>();
    Map<TopicPartition, Long> stored = new HashMap<>();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(acquireSql)) {
      c.setAutoCommit(true);
      ps.setString(1, scope);
      ps.setObject(2, sorted.stream().map(TopicPartition::topic).toArray(String[]::new));
      ps.setObject(3, sorted.stream().mapToInt(TopicPartition::partition).toArray());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TopicPartition tp = new TopicPartition(rs.getString(1), rs.getInt(2));
          acquired.put(tp, rs.getLong(4));
          if (rs.getLong(3) >= 0) {
            stored.put(tp, rs.getLong(3));
          }
        }
      }
    }
    generations.putAll(acquired);
    return stored;
  }

  /** Forgets {@code partitions} (revoked or lost): their transactions are fenced from now on. */
  public void release(Collection<TopicPartition> partitions) {
    partitions.forEach(generations::remove);
  }

  /** Whether this consumer holds a generation for {@code partition}. */
  public boolean owns(TopicPartition partition) {
    return generations.containsKey(partition);
  }

  /** The generation held for {@code partition}, or -1. */
  public long generation(TopicPartition partition) {
    return generations.getOrDefault(partition, NOT_OWNED);
  }

  /**
   * Moves the next offset of every partition in {@code records} forward, in one statement, if this
   * consumer still owns them all.
   *
   * @throws DedupException of kind FENCED (the partitions concerned are forgotten) if one is owned by a
   *     newer generation, its row is gone, or it was never acquired
   */
  @Override
  public void beforeCommit(Connection c, List<? extends ConsumerRecord<?, ?>> records) throws SQLException {
    Map<TopicPartition, Long> next = new TreeMap<>(ORDER);
    for (ConsumerRecord<?, ?> r : records) {
      next.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max);
    }
    if (next.isEmpty()) {
      return;
    }
    List<TopicPartition> tps = new ArrayList<>(next.keySet());
    Map<TopicPartition, Long> ours = new HashMap<>();
    tps.forEach(tp -> ours.put(tp, generation(tp)));
    int updated;
    try (PreparedStatement ps = c.prepareStatement(advanceSql)) {
      ps.setObject(1, tps.stream().map(TopicPartition::topic).toArray(String[]::new));
      ps.setObject(2, tps.stream().mapToInt(TopicPartition::partition).toArray());
      ps.setObject(3, tps.stream().mapToLong(next::get).toArray());
      ps.setObject(4, tps.stream().mapToLong(ours::get).toArray());
      ps.setString(5, scope);
      updated = ps.executeUpdate();
    }
    if (updated < tps.size()) {
      throw fenced(c, tps, ours);
    }
  }

  private DedupException fenced(Connection c, List<TopicPartition> tps, Map<TopicPartition, Long> ours)
      throws SQLException {
    Map<TopicPartition, Long> current = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(inspectSql)) {
      ps.setObject(1, tps.stream().map(TopicPartition::topic).toArray(String[]::new));
      ps.setObject(2, tps.stream().mapToInt(TopicPartition::partition).toArray());
      ps.setString(3, scope);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          current.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
        }
      }
    }
    List<String> why = new ArrayList<>();
    for (TopicPartition tp : tps) {
      long mine = ours.get(tp);
      Long now = current.get(tp);
      if (mine == NOT_OWNED) {
        why.add(tp + " is not owned by this consumer");
      } else if (now == null) {
        why.add(tp + " has no row in consumer_offsets any more");
      } else if (now != mine) {
        why.add(tp + " is owned by generation " + now + ", this consumer holds " + mine);
      } else {
        continue;
      }
      generations.remove(tp);
    }
    if (why.isEmpty()) {
      why.add("the generations of " + tps + " changed during the transaction");
      tps.forEach(generations::remove);
    }
    return DedupException.fenced("[" + scope + "] fenced, the transaction is rolled back: " + String.join("; ", why)
        + " (the partition was reassigned; a newer owner continues from the stored offset)");
  }

  private static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
    List<TopicPartition> sorted = new ArrayList<>(partitions);
    sorted.sort(ORDER);
    return sorted;
  }
}
