package io.github.kafkadedup.outbox.internal;

import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/** The statements on {@code dead_letters} that read rows and record operator actions. */
final class DeadLetterRows {
  private static final String SUMMARY = "id, created_at, state, reason, scope, message_key, key_id, source_topic, "
      + "source_partition, source_offset, record_timestamp, coalesce(octet_length(record_key), -1), "
      + "coalesce(octet_length(record_value), -1), exception_class, exception_message, dlt_topic, published_at, "
      + "attempts, last_error, action_at, action_db_user, action_operator, action_reason, sequence_key, fingerprint, "
      + "substring(record_key from 1 for 200)";
  private final DedupSchema schema;

  DeadLetterRows(DedupSchema schema) {
    this.schema = schema;
  }

  /** {@code SELECT} of the summary columns (and the bytes if {@code full}), without a WHERE clause. */
  String select(boolean full) {
    return "SELECT " + SUMMARY + (full ? ", record_key, record_value, headers, exception_stack" : "") + " FROM "
        + schema.deadLetters();
  }

  /** Row {@code id} with its bytes, locked for update if {@code lock}; null if absent. */
  @Nullable DeadLetter find(Connection c, long id, boolean lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(select(true) + " WHERE id = ?" + (lock ? " FOR UPDATE" : ""))) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? read(rs, true) : null;
      }
    }
  }

  DeadLetter read(ResultSet rs, boolean full) throws SQLException {
    Instant actionAt = instant(rs, 20);
    DeadLetter.Action action = actionAt == null ? null
        : new DeadLetter.Action(actionAt, rs.getString(21), rs.getString(22), rs.getString(23));
    DeadLetter.Payload payload = null;
    if (full) {
      byte[] headers = rs.getBytes(29);
      List<Header> list = headers == null ? List.of() : List.of(HeaderCodec.decode(headers).toArray());
      payload = new DeadLetter.Payload(rs.getBytes(27), rs.getBytes(28), list, rs.getString(30));
    }
    return new DeadLetter(rs.getLong(1), java.util.Objects.requireNonNull(instant(rs, 2)),
        DeadLetters.State.valueOf(rs.getString(3).toUpperCase(Locale.ROOT)),
        DeadLetters.Reason.valueOf(rs.getString(4).toUpperCase(Locale.ROOT)), rs.getString(5), rs.getString(6),
        rs.getObject(7, UUID.class), rs.getString(8), rs.getObject(9, Integer.class), rs.getObject(10, Long.class),
        instant(rs, 11), rs.getInt(12), rs.getInt(13), rs.getString(14), rs.getString(15), rs.getString(16),
        instant(rs, 17), rs.getInt(18), rs.getString(19), action, payload, rs.getString(24), rs.getString(25),
        text(rs.getBytes(26)));
  }

  /** Sets the state and who/when/why of an operator action on row {@code id}. */
  void recordAction(Connection c, long id, DeadLetters.State state, @Nullable String operator, String reason)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + schema.deadLetters() + " SET state = ?, "
        + "action_at = now(), action_db_user = current_user, action_operator = ?, action_reason = ? WHERE id = ?")) {
      ps.setString(1, state.column());
      ps.setString(2, operator);
      ps.setString(3, reason);
      ps.setLong(4, id);
      ps.executeUpdate();
    }
  }

  /** The record key's first bytes as text: UTF-8 if they are, else {@code 0x} and hexadecimal. */
  private static @Nullable String text(byte @Nullable [] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return "0x" + java.util.HexFormat.of().formatHex(bytes);
    }
  }

  private static @Nullable Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
