package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupContext;
import io.github.kafkadedup.outbox.internal.OutboxBuffer;
import io.github.kafkadedup.outbox.internal.OutboxWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jooq.DSLContext;
import org.jspecify.annotations.Nullable;

/** The handler's view of one dedup transaction, with the outbox sends it makes. */
final class HandlerContext implements DedupContext {
  private final Connection connection;
  private final String scope;
  private final @Nullable OutboxWriter<?, ?> outbox;
  /** Each handled record's origin for outbox keys: its dedup key, or topic-partition@offset without one. */
  private final Map<ConsumerRecord<?, ?>, String> origins = new IdentityHashMap<>();
  private @Nullable String firstOrigin;
  private @Nullable DSLContext dsl;
  private @Nullable OutboxBuffer buffer;

  HandlerContext(Connection connection, String scope, @Nullable OutboxWriter<?, ?> outbox) {
    this.connection = connection;
    this.scope = scope;
    this.outbox = outbox;
  }

  /** Registers a record passed to the handler, with its dedup key (null under KeyStrategy.none()). */
  void handles(ConsumerRecord<?, ?> record, @Nullable String key) {
    String origin = key != null ? key : RecordLog.where(record);
    origins.put(record, origin);
    if (firstOrigin == null) {
      firstOrigin = origin;
    }
  }

  /** The record handler is about to handle {@code record}: its sends get keys derived from it. */
  void entering(ConsumerRecord<?, ?> record) {
    String origin = origins.get(record);
    if (buffer != null && origin != null) {
      buffer.enter(origin);
    } else if (origin != null) {
      firstOrigin = origin;
    }
  }

  /** Writes the handler's sends into the transaction; called after the handler returned. */
  void flush() throws SQLException {
    if (buffer != null) {
      buffer.flush(connection);
    }
  }

  @Override
  public Connection connection() {
    return connection;
  }

  @Override
  public DSLContext dsl() {
    if (dsl == null) {
      dsl = JooqContexts.using(connection);
    }
    return dsl;
  }

  @Override
  public String scope() {
    return scope;
  }

  @Override
  public void send(String topic, @Nullable Object key, @Nullable Object value, Iterable<? extends Header> headers) {
    if (outbox == null) {
      throw new IllegalStateException("DedupContext.send needs an outbox: configure one with outbox("
          + "Outbox.builder(keySerializer, valueSerializer).build()) on the DedupConsumer or DedupProcessor builder");
    }
    if (buffer == null) {
      buffer = new OutboxBuffer(outbox, scope, firstOrigin != null ? firstOrigin : "");
    }
    buffer.add(topic, key, value, headers);
  }
}
