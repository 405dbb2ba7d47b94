package io.github.kafkadedup.outbox.internal;

import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

/**
 * The statements on {@code parked_sequences} (migration V8), for the engine (park, queue, apply, release) and
 * for the operator's replay and discard of a sequence's head. Every method runs on the caller's transaction.
 */
public final class ParkedSequences {
  private final DedupSchema schema;
  private final String table;

  /** @param schema where the tables are */
  public ParkedSequences(DedupSchema schema) {
    this.schema = schema;
    this.table = schema.parkedSequences();
  }

  /**
   * One sequence: its scope, source partition and sequence key.
   *
   * @param scope the dedup scope
   * @param topic the source topic
   * @param partition the source partition
   * @param key the sequence key
   */
  public record Id(String scope, String topic, int partition, String key) {}

  /**
   * A parked sequence's row.
   *
   * @param replaying whether its replay is under way (else it waits for an operator)
   * @param headId the dead letter it waits behind
   * @param pending while replaying: replayed records not yet applied
   */
  public record Row(boolean replaying, long headId, int pending) {}

  /** The parked sequence keys of one partition (what its new owner loads). */
  public Set<String> load(Connection c, String scope, String topic, int partition) throws SQLException {
    Set<String> keys = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT sequence_key FROM " + table
        + " WHERE scope = ? AND source_topic = ? AND source_partition = ?")) {
      ps.setString(1, scope);
      ps.setString(2, topic);
      ps.setInt(3, partition);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
    }
    return keys;
  }

  /** The row of {@code id}, locked until the transaction ends; null if the sequence is not parked. */
  public @Nullable Row lock(Connection c, Id id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT state, head_id, replays_pending FROM " + table
        + " WHERE scope = ? AND source_topic = ? AND source_partition = ? AND sequence_key = ? FOR UPDATE")) {
      bind(ps, id, 1);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Row(rs.getString(1).equals("replaying"), rs.getLong(2), rs.getInt(3)) : null;
      }
    }
  }

  /**
   * Parks {@code id} behind dead letter {@code headId}; a sequence whose replay is under way is parked again
   * behind it (its replayed records still on their way are parked as they arrive). A sequence already parked
   * keeps its head.
   */
  public void park(Connection c, Id id, long headId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (scope, source_topic, "
        + "source_partition, sequence_key, head_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, source_topic, "
        + "source_partition, sequence_key) DO UPDATE SET state = 'parked', head_id = excluded.head_id, "
        + "replays_pending = 0, parked_at = now() WHERE " + table + ".state = 'replaying'")) {
      bind(ps, id, 1);
      ps.setLong(5, headId);
      ps.executeUpdate();
    }
  }

  /**
   * Whether dead letter {@code deadLetterId} is a replayed record of sequence {@code id}, and if so whether
   * its copy was applied already (locked until the transaction ends).
   *
   * @return null if it is not a replayed record of this sequence; else whether it was applied
   */
  public @Nullable Boolean replayedCopy(Connection c, long deadLetterId, Id id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT replay_applied_at IS NOT NULL FROM "
        + schema.deadLetters() + " WHERE id = ? AND state = 'replayed' AND scope = ? AND source_topic = ? "
        + "AND source_partition = ? AND sequence_key = ? FOR UPDATE")) {
      ps.setLong(1, deadLetterId);
      bind(ps, id, 2);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getBoolean(1) : null;
      }
    }
  }

  /**
   * Records that the replayed copy of {@code deadLetterId} was applied (or found a duplicate); releases the
   * sequence after its last replayed record.
   *
   * @return true if the sequence is released now
   */
  public boolean applied(Connection c, Id id, long deadLetterId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + schema.deadLetters()
        + " SET replay_applied_at = now() WHERE id = ?")) {
      ps.setLong(1, deadLetterId);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET replays_pending = "
        + "greatest(replays_pending - 1, 0) WHERE scope = ? AND source_topic = ? AND source_partition = ? "
        + "AND sequence_key = ? RETURNING replays_pending")) {
      bind(ps, id, 1);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getInt(1) > 0) {
          return false;
        }
      }
    }
    release(c, id);
    return true;
  }

  /** Marks {@code id} as replaying {@code pending} records (operator's replay or release). */
  public void replaying(Connection c, Id id, int pending) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET state = 'replaying', "
        + "replays_pending = replays_pending + ? WHERE scope = ? AND source_topic = ? AND source_partition = ? "
        + "AND sequence_key = ?")) {
      ps.setInt(1, pending);
      bind(ps, id, 2);
      ps.executeUpdate();
    }
  }

  /** Deletes the row of {@code id}: the sequence flows again. */
  public void release(Connection c, Id id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table
        + " WHERE scope = ? AND source_topic = ? AND source_partition = ? AND sequence_key = ?")) {
      bind(ps, id, 1);
      ps.executeUpdate();
    }
  }

  /**
   * The sequence that dead letter {@code headId} heads (its row locked), if it heads one that waits for an
   * operator; {@code scope}, {@code topic}, {@code partition} and {@code sequenceKey} are the dead letter's
   * columns (a null one: not sequenced).
   *
   * @return the sequence, or null
   */
  public @Nullable Id lockHeaded(Connection c, long headId, @Nullable String scope, String topic,
      @Nullable Integer partition, @Nullable String sequenceKey) throws SQLException {
    if (scope == null || partition == null || sequenceKey == null) {
      return null;
    }
    Id id = new Id(scope, topic, partition, sequenceKey);
    Row row = lock(c, id);
    return row != null && row.headId() == headId && !row.replaying() ? id : null;
  }

  /** The ids of the records parked in {@code id}, in offset order. */
  public List<Long> parked(Connection c, Id id) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + schema.deadLetters() + " WHERE state = "
        + "'parked' AND scope = ? AND source_topic = ? AND source_partition = ? AND sequence_key = ? "
        + "ORDER BY source_offset, id FOR UPDATE")) {
      bind(ps, id, 1);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    return ids;
  }

  /**
   * Writes the copy of dead letter {@code deadLetterId} for its source topic to the outbox: the original key,
   * value and headers, with {@link DeadLetters#REPLAY_OF_HEADER} naming the dead letter and an
   * {@code idempotency-key} derived from its id if it had none.
   */
  public void enqueueCopy(Connection c, long deadLetterId, String topic, byte @Nullable [] key,
      byte @Nullable [] value, Iterable<? extends Header> original) throws SQLException {
    OutboxWriter.insertRows(c, schema, List.of(OutboxRow.toInsert(topic, key, value,
        HeaderCodec.encode(copyHeaders(schema, deadLetterId, original)), null)));
  }

  /** The headers of a replayed copy (see {@link #enqueueCopy}). */
  public static Headers copyHeaders(DedupSchema schema, long deadLetterId, Iterable<? extends Header> original) {
    Headers headers = new RecordHeaders();
    original.forEach(h -> headers.add(h.key(), h.value()));
    headers.remove(DeadLetters.REPLAY_OF_HEADER);
    headers.add(DeadLetters.REPLAY_OF_HEADER, Long.toString(deadLetterId).getBytes(StandardCharsets.US_ASCII));
    if (headers.lastHeader(io.github.kafkadedup.outbox.Outbox.IDEMPOTENCY_KEY_HEADER) == null) {
      UUID key = OutboxKeys.derived("kafka-dedup dead letters", schema.deadLetters() + "/" + deadLetterId, 0);
      headers.add(io.github.kafkadedup.outbox.Outbox.IDEMPOTENCY_KEY_HEADER,
          key.toString().getBytes(StandardCharsets.US_ASCII));
    }
    return headers;
  }

  private static void bind(PreparedStatement ps, Id id, int from) throws SQLException {
    ps.setString(from, id.scope());
    ps.setString(from + 1, id.topic());
    ps.setInt(from + 2, id.partition());
    ps.setString(from + 3, id.key());
  }
}
