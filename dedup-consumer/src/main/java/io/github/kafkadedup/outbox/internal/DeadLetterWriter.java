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

  /** @param schema where the tables are */
  public DeadLetterWriter(DedupSchema schema) {
    this.schema = schema;
    String columns = "reason, scope, key_id, message_key, source_topic, source_partition, source_offset, "
        + "record_timestamp, record_key, record_value, headers, exception_class, exception_message, exception_stack, "
        + "dlt_topic";
    String values = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
    String conflict = " ON CONFLICT (scope, source_topic, source_partition, source_offset) DO NOTHING RETURNING id";
    this.insert = "WITH d AS (INSERT INTO " + schema.deadLetters() + " (" + columns + ") VALUES (" + values + ")"
        + conflict + ") INSERT INTO " + schema.outbox() + " (lane, topic, record_key, record_value, headers, "
        + "dead_letter_id) SELECT ?, ?, ?, ?, ?, id FROM d RETURNING dead_letter_id";
    this.insertHeld = "INSERT INTO " + schema.deadLetters() + " (" + columns + ", state, attempts, last_error) "
        + "VALUES (" + values + ", 'held', 1, ?)" + conflict;
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
    Long id = null;
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      int p = bind(ps, entry);
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
    try (PreparedStatement ps = c.prepareStatement(insertHeld)) {
      int p = bind(ps, entry);
      ps.setString(p, truncate(error, MAX_MESSAGE_CHARS));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  private static int bind(PreparedStatement ps, Entry e) throws SQLException {
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
