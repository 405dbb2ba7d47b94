package io.github.kafkadedup.outbox.internal;

import io.github.kafkadedup.outbox.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The filters of a {@link DeadLetters.Query} as SQL conditions (paging aside), for list, groups and bulk. */
final class DeadLetterFilters {
  private DeadLetterFilters() {}

  /** Appends {@code AND column = ?} per filter set in {@code query} to {@code sql}, its value to {@code args}. */
  static void append(StringBuilder sql, List<Object> args, DeadLetters.Query query) {
    filter(sql, args, "scope", query.scope());
    filter(sql, args, "state", query.state() == null ? null : query.state().column());
    filter(sql, args, "reason", query.reason() == null ? null : query.reason().column());
    filter(sql, args, "source_topic", query.topic());
    filter(sql, args, "fingerprint", query.group());
    filter(sql, args, "message_key", query.key());
    filter(sql, args, "record_key", query.recordKey() == null ? null
        : query.recordKey().getBytes(StandardCharsets.UTF_8));
    if (query.since() != null) {
      sql.append(" AND created_at >= ?");
      args.add(Timestamp.from(query.since()));
    }
  }

  private static void filter(StringBuilder sql, List<Object> args, String column, @Nullable Object value) {
    if (value != null) {
      sql.append(" AND ").append(column).append(" = ?");
      args.add(value);
    }
  }
}
