package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.outbox.internal.OutboxKeys;
import io.github.kafkadedup.outbox.internal.OutboxWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/**
 * Outbox writes for integrations that derive the idempotency keys themselves (the Spring starter's
 * {@code TransactionalOutbox}): a row with a given key on the caller's connection, and the engine's derivation
 * of a send's key from the consumed record's dedup key and the send's position.
 *
 * @param <K> the outgoing record key type
 * @param <V> the outgoing record value type
 */
public final class OutboxWrites<K, V> {
  private final OutboxWriter<K, V> writer;

  private OutboxWrites(OutboxWriter<K, V> writer) {
    this.writer = writer;
  }

  /**
   * The writes of {@code outbox}.
   *
   * @param outbox an outbox built with {@link Outbox#builder} (its serializers and schema)
   * @param <K> key type
   * @param <V> value type
   * @return its writes
   * @throws IllegalArgumentException if {@code outbox} was not built by {@link Outbox#builder}
   */
  public static <K, V> OutboxWrites<K, V> of(Outbox<K, V> outbox) {
    if (!(Objects.requireNonNull(outbox, "outbox") instanceof OutboxWriter<K, V> writer)) {
      throw new IllegalArgumentException("outbox must be built with Outbox.builder(keySerializer, "
          + "valueSerializer), but was a " + outbox.getClass().getName());
    }
    return new OutboxWrites<>(writer);
  }

  /**
   * Writes one record to the outbox on {@code c}, which must be inside the caller's transaction; the relays are
   * signalled at commit.
   *
   * @param c the caller's connection, inside its transaction
   * @param topic the topic to publish to
   * @param key the record key, or null
   * @param value the record value, or null
   * @param headers more headers (an {@code idempotency-key} among them wins over {@code idempotencyKey})
   * @param idempotencyKey the record's idempotency key
   * @throws SQLException if the insert fails
   */
  public void write(Connection c, String topic, @Nullable K key, @Nullable V value,
      Iterable<? extends Header> headers, UUID idempotencyKey) throws SQLException {
    writer.write(c, topic, key, value, headers, idempotencyKey);
  }

  /**
   * The idempotency key of the {@code position}-th send (0-based) made while handling the record claimed as
   * {@code origin} in {@code scope}, as the engine derives it (a version 8 UUID).
   *
   * @param scope the dedup scope
   * @param origin the consumed record's dedup key
   * @param position the send's position in the handler, from 0
   * @return the key
   */
  public static UUID derivedKey(String scope, String origin, int position) {
    return OutboxKeys.derived(scope, origin, position);
  }
}
