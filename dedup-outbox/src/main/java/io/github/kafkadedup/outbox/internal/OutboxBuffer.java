package io.github.kafkadedup.outbox.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/**
 * The sends of one handler transaction: serialized at once (a serializer failure fails the handler), kept
 * in memory, inserted in one statement by {@link #flush} before the transaction commits. Each send's
 * idempotency key is derived from the record being handled ({@link #enter}) and the send's position.
 */
public final class OutboxBuffer {
  private final OutboxWriter<?, ?> writer;
  private final String scope;
  private final List<OutboxRow> rows = new ArrayList<>();
  private String origin;
  private int position;

  /**
   * @param writer the configured outbox
   * @param scope the dedup scope of the consumer
   * @param origin the first record's dedup key
   */
  public OutboxBuffer(OutboxWriter<?, ?> writer, String scope, String origin) {
    this.writer = writer;
    this.scope = scope;
    this.origin = origin;
  }

  /** The following sends belong to the record claimed as {@code key}; positions restart at 0. */
  public void enter(String key) {
    if (!key.equals(origin)) {
      origin = key;
      position = 0;
    }
  }

  /** Serializes and keeps one record. */
  public void add(String topic, @Nullable Object key, @Nullable Object value, Iterable<? extends Header> headers) {
    rows.add(writer.untypedRow(topic, key, value, headers, OutboxKeys.derived(scope, origin, position++)));
  }

  /** Inserts the kept records on {@code c} (inside the handler's transaction) and forgets them. */
  public void flush(Connection c) throws SQLException {
    if (!rows.isEmpty()) {
      writer.insert(c, rows);
      rows.clear();
    }
  }
}
