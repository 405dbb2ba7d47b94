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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The database side of offsets-in-PostgreSQL mode: the owner generation of each partition this consumer
 * holds, the next offset it knows to be stored, and the fenced offset write that joins every dedup
 * transaction.
 *
 * <p>{@link #acquire} bumps the generation of each newly assigned partition in {@code consumer_offsets}
 * (inserting the row, with {@code next_offset = -1} for "none stored", when absent) and remembers it.
 * {@link #beforeCommit} then moves each partition's {@code next_offset} to the end of the transaction's
 * records in one statement, guarded by {@code generation = ours} and by {@code next_offset <= } the
 * transaction's first offset of the partition. When another consumer acquired a partition since, fewer rows
 * match and the transaction fails with {@link DedupException.Kind#FENCED}, rolling back with the business
 * writes. When the stored offset is already past the first record (an earlier transaction of this consumer
 * committed although its {@code COMMIT} failed on the client: outcome unknown), it fails with a transient
 * {@link StoredOffsetMoved} and the retry starts from the stored offset. Rows are locked in (topic,
 * partition) order, so concurrent acquirers cannot deadlock.
 *
 * <p>{@link #unapplied} drops the records below the next offset known to be stored, before the handler sees
 * them. That offset is known without a query after {@link #acquire} and after every confirmed commit; from
 * the fence's write until the commit is confirmed it is unknown, and the next transaction of the partition
 * reads it first (one query, only after a failure).
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
  /** The next offset known to be committed in the database, per owned partition; absent: unknown. */
  private final Map<TopicPartition, Long> stored = new ConcurrentHashMap<>();

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
    this.advanceSql = "UPDATE " + table + " AS o SET next_offset = u.n, updated_at = now()"
        + " FROM unnest(?::text[], ?::int4[], ?::int8[], ?::int8[], ?::int8[]) AS u(t, p, f, n, g)"
        + " WHERE o.scope = ? AND o.topic = u.t AND o.kafka_partition = u.p AND o.generation = u.g"
        + " AND o.next_offset <= u.f";
    this.inspectSql = "SELECT o.topic, o.kafka_partition, o.generation, o.next_offset FROM " + table + " o"
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
    Map<TopicPartition, Long> next = new HashMap<>();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(acquireSql)) {
      c.setAutoCommit(true);
      ps.setString(1, scope);
      ps.setObject(2, sorted.stream().map(TopicPartition::topic).toArray(String[]::new));
      ps.setObject(3, sorted.stream().mapToInt(TopicPartition::partition).toArray());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TopicPartition tp = new TopicPartition(rs.getString(1), rs.getInt(2));
          acquired.put(tp, rs.getLong(4));
          next.put(tp, rs.getLong(3));
        }
      }
    }
    generations.putAll(acquired);
    stored.putAll(next);
    Map<TopicPartition, Long> found = new HashMap<>(next);
    found.values().removeIf(offset -> offset < 0);
    return found;
  }

  /** Forgets {@code partitions} (revoked or lost): their transactions are fenced from now on. */
  public void release(Collection<TopicPartition> partitions) {
    partitions.forEach(generations::remove);
    partitions.forEach(stored::remove);
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
   * The next offset stored for each of {@code partitions} (-1: none stored): known ones from memory, the
   * others read in their own autocommit query, e.g. to rewind after a batch failed.
   *
   * @throws SQLException if the database fails
   */
  public Map<TopicPartition, Long> storedOffsets(Collection<TopicPartition> partitions) throws SQLException {
    Map<TopicPartition, Long> out = new HashMap<>();
    List<TopicPartition> unknown = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      Long known = stored.get(tp);
      if (known != null) {
        out.put(tp, known);
      } else {
        unknown.add(tp);
      }
    }
    if (!unknown.isEmpty()) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        out.putAll(learn(c, unknown));
      }
    }
    return out;
  }

  /**
   * Drops the records below their partition's stored next offset: a transaction whose commit outcome was
   * unknown applied them. Reads the stored offsets of partitions whose last commit is unconfirmed.
   */
  @Override
  public <R extends ConsumerRecord<?, ?>> List<R> unapplied(Connection c, List<R> records) throws SQLException {
    Set<TopicPartition> unknown = new TreeSet<>(ORDER);
    for (ConsumerRecord<?, ?> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      if (owns(tp) && !stored.containsKey(tp)) {
        unknown.add(tp);
      }
    }
    if (!unknown.isEmpty()) {
      learn(c, unknown);
    }
    List<R> out = new ArrayList<>(records.size());
    for (R r : records) {
      Long next = stored.get(new TopicPartition(r.topic(), r.partition()));
      if (next == null || r.offset() >= next) {
        out.add(r);
      }
    }
    return out.size() == records.size() ? records : out;
  }

  /** Reads and remembers the stored next offsets of the partitions still owned by our generation. */
  private Map<TopicPartition, Long> learn(Connection c, Collection<TopicPartition> partitions) throws SQLException {
    Map<TopicPartition, Long> found = new HashMap<>();
    inspect(c, sorted(partitions)).forEach((tp, row) -> {
      if (row[0] == generation(tp)) {
        stored.put(tp, row[1]);
      }
      found.put(tp, row[1]);
    });
    return found;
  }

  /**
   * Moves the next offset of every partition in {@code records} to the end of the records, in one
   * statement, if this consumer still owns them all and none of the records was applied before. The
   * stored offsets are unknown from here until {@link #committed}.
   *
   * @throws DedupException of kind FENCED (the partitions concerned are forgotten) if one is owned by a
   *     newer generation, its row is gone, or it was never acquired
   * @throws StoredOffsetMoved (transient) if a partition's stored offset is past its first record here
   */
  @Override
  public void beforeCommit(Connection c, List<? extends ConsumerRecord<?, ?>> records) throws SQLException {
    Map<TopicPartition, Long> first = new TreeMap<>(ORDER);
    Map<TopicPartition, Long> next = new TreeMap<>(ORDER);
    for (ConsumerRecord<?, ?> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      first.merge(tp, r.offset(), Math::min);
      next.merge(tp, r.offset() + 1, Math::max);
    }
    if (next.isEmpty()) {
      return;
    }
    List<TopicPartition> tps = new ArrayList<>(next.keySet());
    Map<TopicPartition, Long> ours = new HashMap<>();
    tps.forEach(tp -> ours.put(tp, generation(tp)));
    tps.forEach(stored::remove); // unknown until the commit is confirmed: a lost COMMIT may still have landed
    int updated;
    try (PreparedStatement ps = c.prepareStatement(advanceSql)) {
      ps.setObject(1, tps.stream().map(TopicPartition::topic).toArray(String[]::new));
      ps.setObject(2, tps.stream().mapToInt(TopicPartition::partition).toArray());
      ps.setObject(3, tps.stream().mapToLong(first::get).toArray());
      ps.setObject(4, tps.stream().mapToLong(next::get).toArray());
      ps.setObject(5, tps.stream().mapToLong(ours::get).toArray());
      ps.setString(6, scope);
      updated = ps.executeUpdate();
    }
    if (updated < tps.size()) {
      throw rejected(c, tps, ours, first);
    }
  }

  /** The commit of {@code records} is confirmed: their partitions' stored offsets are known again. */
  @Override
  public void committed(List<? extends ConsumerRecord<?, ?>> records) {
    for (ConsumerRecord<?, ?> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      if (owns(tp)) {
        stored.merge(tp, r.offset() + 1, Math::max);
      }
    }
  }

  private SQLException rejected(Connection c, List<TopicPartition> tps, Map<TopicPartition, Long> ours,
      Map<TopicPartition, Long> first) throws SQLException {
    Map<TopicPartition, long[]> current = inspect(c, tps);
    List<String> why = new ArrayList<>();
    List<String> moved = new ArrayList<>();
    for (TopicPartition tp : tps) {
      long mine = ours.get(tp);
      long[] now = current.get(tp);
      if (mine == NOT_OWNED) {
        why.add(tp + " is not owned by this consumer");
      } else if (now == null) {
        why.add(tp + " has no row in consumer_offsets any more");
      } else if (now[0] != mine) {
        why.add(tp + " is owned by generation " + now[0] + ", this consumer holds " + mine);
      } else {
        if (now[1] > first.get(tp)) {
          moved.add(tp + " is stored at " + now[1] + ", past this transaction's first offset " + first.get(tp));
        }
        continue;
      }
      generations.remove(tp);
    }
    if (why.isEmpty() && !moved.isEmpty()) {
      return new StoredOffsetMoved("[" + scope + "] " + String.join("; ", moved) + ": an earlier transaction "
          + "whose commit outcome was unknown applied those records; rolled back, retrying from the stored offset");
    }
    if (why.isEmpty()) {
      why.add("the generations of " + tps + " changed during the transaction");
      tps.forEach(generations::remove);
    }
    throw DedupException.fenced("[" + scope + "] fenced, the transaction is rolled back: " + String.join("; ", why)
        + " (the partition was reassigned; a newer owner continues from the stored offset)");
  }

  /** (generation, next offset) of each of {@code tps} that has a row. */
  private Map<TopicPartition, long[]> inspect(Connection c, List<TopicPartition> tps) throws SQLException {
    Map<TopicPartition, long[]> current = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(inspectSql)) {
      ps.setObject(1, tps.stream().map(TopicPartition::topic).toArray(String[]::new));
      ps.setObject(2, tps.stream().mapToInt(TopicPartition::partition).toArray());
      ps.setString(3, scope);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          current.put(new TopicPartition(rs.getString(1), rs.getInt(2)), new long[] {rs.getLong(3), rs.getLong(4)});
        }
      }
    }
    return current;
  }

  private static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
    List<TopicPartition> sorted = new ArrayList<>(partitions);
    sorted.sort(ORDER);
    return sorted;
  }
}
