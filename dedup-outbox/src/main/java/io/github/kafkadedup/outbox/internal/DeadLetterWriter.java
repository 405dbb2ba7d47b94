package io.github.kafkadedup.outbox.internal;

import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.DeadLetters;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/**
 * Stores a dead letter and its copy for the dead-letter topic (an outbox row pointing at it) in ONE
 * statement on the caller's transaction, which also holds the key's {@code D} claim. Idempotent per
 * (scope, source topic, partition, offset): a record stored before inserts nothing, and no second copy.
 * The entry point of every integration (the engine's {@code Recoverer.deadLetterTable}, Spring's recoverer).
 */
public final class DeadLetterWriter {
  /** Exception messages are cut to this many characters, stack traces to {@link #MAX_STACK_CHARS}. */
  public static final int MAX_MESSAGE_CHARS = 4096;
  /** Stack traces are cut to this many characters. */
  public static final int MAX_STACK_CHARS = 16_384;

  private final DedupSchema schema;
  private final String insert;
  private final String insertHeld;
  private final String insertSequenced;

  /** @param schema where the tables are */
  public DeadLetterWriter(DedupSchema schema) {
    this.schema = schema;
    String columns = "reason, scope, key_id, message_key, source_topic, source_partition, source_offset, "
        + "record_timestamp, record_key, record_value, headers, exception_class, exception_message, exception_stack, "
        + "dlt_topic, fingerprint, sequence_key";
    String values = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
    String conflict = " ON CONFLICT (scope, source_topic, source_partition, source_offset) DO NOTHING RETURNING id";
    this.insert = "WITH d AS (INSERT INTO " + schema.deadLetters() + " (" + columns + ") VALUES (" + values + ")"
        + conflict + ") INSERT INTO " + schema.outbox() + " (lane, topic, record_key, record_value, headers, "
        + "dead_letter_id) SELECT ?, ?, ?, ?, ?, id FROM d RETURNING dead_letter_id";
    this.insertHeld = "INSERT INTO " + schema.deadLetters() + " (" + columns + ", state, attempts, last_error) "
        + "VALUES (" + values + ", 'held', 1, ?)" + conflict;
    this.insertSequenced = "INSERT INTO " + schema.deadLetters() + " (" + columns + ", state, action_at, "
        + "action_db_user, action_operator, action_reason) VALUES (" + values + ", ?, CASE WHEN ? IS NULL THEN "
        + "NULL ELSE now() END, CASE WHEN ? IS NULL THEN NULL ELSE current_user END, ?, ?)" + conflict;
  }

  /**
   * A record to dead-letter.
   *
   * @param scope the consumer's dedup scope
   * @param key its dedup key, or null (then {@code keyId} is null too)
   * @param keyId the key's claim id
   * @param reason why
   * @param topic its source topic
   * @param partition its source partition
   * @param offset its source offset
   * @param timestamp its timestamp, or null
   * @param recordKey its key bytes as they came in
   * @param recordValue its value bytes as they came in
   * @param headers its original headers
   * @param failure why it could not be processed
   * @param dltTopic the dead-letter topic
   * @param dltHeaders the headers of the dead-letter copy (the original ones and the {@code dedup-dlt-*} ones)
   */
  public record Entry(String scope, @Nullable String key, @Nullable UUID keyId, DeadLetters.Reason reason,
      String topic, int partition, long offset, @Nullable Instant timestamp, byte @Nullable [] recordKey,
      byte @Nullable [] recordValue, Iterable<? extends Header> headers, Throwable failure, String dltTopic,
      Iterable<? extends Header> dltHeaders) {}

  /**
   * Stores {@code entry} and its outbox copy (signalling the relays at commit).
   *
   * @return the new row's id, or null if this record was stored before (nothing written)
   * @throws SQLException on database failure
   */
  public @Nullable Long write(Connection c, Entry entry) throws SQLException {
    return write(c, entry, null);
  }

  /**
   * Stores {@code entry} of sequence {@code sequenceKey} (sequencing) and its outbox copy.
   *
   * @param sequenceKey its sequence key, or null if its consumer keeps no sequences
   * @return the new row's id, or null if this record was stored before (nothing written)
   * @throws SQLException on database failure
   */
  public @Nullable Long write(Connection c, Entry entry, @Nullable String sequenceKey) throws SQLException {
    Long id = null;
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      int p = bind(ps, entry, sequenceKey);
      ps.setInt(p++, OutboxKeys.lane(entry.dltTopic(), entry.recordKey()));
      ps.setString(p++, entry.dltTopic());
      ps.setBytes(p++, entry.recordKey());
      ps.setBytes(p++, entry.recordValue());
      ps.setBytes(p, HeaderCodec.encode(entry.dltHeaders()));
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          id = rs.getLong(1);
        }
      }
    }
    if (id != null) {
      OutboxWriter.notifyRelays(c, schema);
    }
    return id;
  }

  /**
   * Stores {@code entry} as held at once, without an outbox copy: its bytes could not even be made (e.g. the
   * serializer failed), so there is nothing the relay could publish.
   *
   * @return the new row's id, or null if this record was stored before
   * @throws SQLException on database failure
   */
  public @Nullable Long writeHeld(Connection c, Entry entry, String error) throws SQLException {
    return writeHeld(c, entry, error, null);
  }

  /**
   * {@link #writeHeld(Connection, Entry, String)} for a record of sequence {@code sequenceKey}.
   *
   * @return the new row's id, or null if this record was stored before
   * @throws SQLException on database failure
   */
  public @Nullable Long writeHeld(Connection c, Entry entry, String error, @Nullable String sequenceKey)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(insertHeld)) {
      int p = bind(ps, entry, sequenceKey);
      ps.setString(p, truncate(error, MAX_MESSAGE_CHARS));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  /**
   * Stores a record of a parked sequence (sequencing) without a copy for the dead-letter topic: in state
   * {@code parked} behind the sequence's head, or {@code replayed} when its sequence is being replayed (the
   * caller then queues its copy behind the others, with {@code actionReason} saying so on the row).
   *
   * @param state {@code PARKED} or {@code REPLAYED}
   * @param actionReason the action recorded on the row, or null for none
   * @return the new row's id, or null if this record was stored before (a redelivery: nothing written)
   * @throws SQLException on database failure
   */
  public @Nullable Long writeSequenced(Connection c, Entry entry, String sequenceKey, DeadLetters.State state,
      @Nullable String actionReason) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(insertSequenced)) {
      int p = bind(ps, entry, sequenceKey);
      ps.setString(p++, state.column());
      ps.setString(p++, actionReason);
      ps.setString(p++, actionReason);
      ps.setString(p++, actionReason == null ? null : "kafka-dedup sequencing");
      ps.setString(p, actionReason);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  private static int bind(PreparedStatement ps, Entry e, @Nullable String sequenceKey) throws SQLException {
    int p = 1;
    ps.setString(p++, e.reason().column());
    ps.setString(p++, e.scope());
    ps.setObject(p++, e.keyId());
    ps.setString(p++, e.key());
    ps.setString(p++, e.topic());
    ps.setInt(p++, e.partition());
    ps.setLong(p++, e.offset());
    ps.setTimestamp(p++, e.timestamp() == null ? null : Timestamp.from(e.timestamp()));
    ps.setBytes(p++, e.recordKey());
    ps.setBytes(p++, e.recordValue());
    ps.setBytes(p++, HeaderCodec.encode(List.copyOf(toList(e.headers()))));
    ps.setString(p++, e.failure().getClass().getName());
    ps.setString(p++, truncate(String.valueOf(e.failure().getMessage()), MAX_MESSAGE_CHARS));
    ps.setString(p++, truncate(stackTrace(e.failure()), MAX_STACK_CHARS));
    ps.setString(p++, e.dltTopic());
    ps.setString(p++, Fingerprints.of(e.scope(), e.topic(), e.reason().column(), e.failure().getClass().getName(),
        e.failure().getMessage()));
    ps.setString(p++, sequenceKey);
    return p;
  }

  private static List<Header> toList(Iterable<? extends Header> headers) {
    List<Header> list = new java.util.ArrayList<>();
    headers.forEach(list::add);
    return list;
  }

  private static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  /** {@code value}, cut to {@code max} characters with a note of the full length. */
  public static String truncate(String value, int max) {
    return value.length() <= max ? value : value.substring(0, max - 40) + "...(" + value.length() + " chars)";
  }
}
