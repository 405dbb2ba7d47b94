package io.github.kafkadedup.consumer;

import java.sql.Connection;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.jooq.DSLContext;
import org.jspecify.annotations.Nullable;

/**
 * The database transaction a handler runs in: the claim of the record's key commits or rolls back with
 * whatever the handler writes here. Do not commit, roll back or close the connection.
 */
public interface DedupContext {
  /** @return the transaction's connection (autocommit off) */
  Connection connection();

  /** @return a jOOQ context (PostgreSQL dialect) on the same connection, created on first use */
  DSLContext dsl();

  /** @return the dedup scope of this consumer */
  String scope();

  /**
   * Sends a Kafka record through the outbox: it is serialized now (with the serializers of the
   * {@link io.github.kafkadedup.outbox.Outbox} given to the builder's {@code outbox(...)}), written to the
   * outbox table in this transaction when the handler returns, and published by an
   * {@link io.github.kafkadedup.outbox.OutboxRelay} only if the transaction commits. Its
   * {@code idempotency-key} header is derived from the dedup key of the record being handled and the
   * send's position (0, 1, ...) among that record's sends, so a retry of the record writes the same keys
   * (in a {@link BatchHandler}, every send counts against the batch's first record).
   *
   * @param topic the topic to publish to
   * @param key the record key (the outbox's key serializer's type), or null
   * @param value the record value (the outbox's value serializer's type), or null
   * @param headers more headers (may be empty)
   * @throws IllegalStateException if the processor was built without an outbox
   * @throws ClassCastException if key or value is not of the serializers' types
   * @throws org.apache.kafka.common.errors.SerializationException if a serializer fails
   */
  void send(String topic, @Nullable Object key, @Nullable Object value, Iterable<? extends Header> headers);

  /**
   * {@link #send(String, Object, Object, Iterable)} without headers.
   *
   * @param topic the topic to publish to
   * @param key the record key, or null
   * @param value the record value, or null
   * @throws IllegalStateException if the processor was built without an outbox
   */
  default void send(String topic, @Nullable Object key, @Nullable Object value) {
    send(topic, key, value, List.of());
  }
}
