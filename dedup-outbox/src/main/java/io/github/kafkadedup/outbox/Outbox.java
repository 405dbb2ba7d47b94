package io.github.kafkadedup.outbox;

import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.internal.OutboxWriter;
import io.micrometer.observation.ObservationRegistry;
import java.sql.Connection;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/**
 * Where outgoing Kafka records are written: the {@code outbox} table (migration V3), in the sender's
 * database transaction. Nothing reaches Kafka unless that transaction commits; an {@link OutboxRelay}
 * publishes the committed rows. Configure it once and share it (it is immutable and thread-safe):
 *
 * <pre>{@code
 * Outbox<String, String> outbox = Outbox.builder(new StringSerializer(), new StringSerializer()).build();
 * DedupConsumer.builder(props, keyDeserializer, valueDeserializer, dataSource).outbox(outbox)...
 * // in the handler: tx.send("payments", orderId, payment);
 * }</pre>
 *
 * <p>Every record carries an {@value #IDEMPOTENCY_KEY_HEADER} header, so a record the relay publishes twice
 * (a crash between publishing and deleting the row) is dropped by any kafka-dedup consumer with
 * {@code KeyStrategy.header()}: sent from a handler, the key is a version 8 UUID derived from the consumed
 * record's dedup key and the send's position in the handler (the same on every retry of that record);
 * sent through {@link #send(Connection, String, Object, Object, Iterable)}, a new time-ordered UUIDv7. A
 * header of that name set by the caller is kept.
 *
 * <p>Sealed: {@link #builder} makes the one implementation, the one the engine writes to in its claim
 * transaction; users call it, they do not implement it.
 *
 * @param <K> the outgoing record key type
 * @param <V> the outgoing record value type
 */
public sealed interface Outbox<K, V> permits OutboxWriter {
  /** The header that carries each record's idempotency key: {@value}. */
  String IDEMPOTENCY_KEY_HEADER = "idempotency-key";

  /**
   * The number of lanes: each row goes to lane {@code murmur2(topic, key) mod LANES}; a relay owns whole
   * lanes and publishes each lane in order. Fixed, so that writers and relays of every version agree.
   */
  int LANES = 64;

  /**
   * Writes one record to the outbox on {@code transaction} (autocommit off; not committed here), with a
   * new UUIDv7 idempotency key, and signals the relays at commit ({@code pg_notify}).
   *
   * @param transaction a connection inside the transaction the record belongs to
   * @param topic the topic to publish to
   * @param key the record key, or null
   * @param value the record value, or null (a tombstone)
   * @param headers the record headers (may be empty)
   * @throws java.sql.SQLException if the insert fails
   * @throws org.apache.kafka.common.errors.SerializationException if a serializer fails
   * @throws IllegalStateException if {@code transaction} is in autocommit mode
   */
  void send(Connection transaction, String topic, @Nullable K key, @Nullable V value,
      Iterable<? extends Header> headers) throws java.sql.SQLException;

  /**
   * {@link #send(Connection, String, Object, Object, Iterable)} without headers.
   *
   * @param transaction a connection inside the transaction the record belongs to
   * @param topic the topic to publish to
   * @param key the record key, or null
   * @param value the record value, or null
   * @throws java.sql.SQLException if the insert fails
   */
  default void send(Connection transaction, String topic, @Nullable K key, @Nullable V value)
      throws java.sql.SQLException {
    send(transaction, topic, key, value, List.of());
  }

  /** @return where the outbox table is */
  DedupSchema schema();

  /**
   * A builder with the serializers of the outgoing records.
   *
   * @param keySerializer serializes record keys (configured by the caller; not closed by the outbox)
   * @param valueSerializer serializes record values
   * @param <K> the outgoing record key type
   * @param <V> the outgoing record value type
   * @return a new builder; schema {@link DedupSchema#DEFAULT}
   */
  static <K, V> Builder<K, V> builder(Serializer<K> keySerializer, Serializer<V> valueSerializer) {
    return new Builder<>(keySerializer, valueSerializer);
  }

  /**
   * Builds an {@link Outbox}.
   *
   * @param <K> the outgoing record key type
   * @param <V> the outgoing record value type
   */
  final class Builder<K, V> {
    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private DedupSchema schema = DedupSchema.DEFAULT;
    private ObservationRegistry observations = ObservationRegistry.NOOP;

    private Builder(Serializer<K> keySerializer, Serializer<V> valueSerializer) {
      this.keySerializer = Objects.requireNonNull(keySerializer, "keySerializer");
      this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer");
    }

    /**
     * @param value where the migrations created the outbox table; default {@link DedupSchema#DEFAULT}
     * @return this
     */
    public Builder<K, V> schema(DedupSchema value) {
      this.schema = Objects.requireNonNull(value, "schema");
      return this;
    }

    /**
     * Where spans go: each record sent gets an outbox-write span, child of the current observation, whose W3C
     * trace context is stored with the row and carried on by the relay. A consumer's sends through
     * {@code DedupContext.send} use the consumer's {@code DedupConfig.observationRegistry} when this is not
     * set. Default {@link ObservationRegistry#NOOP} (none).
     *
     * @param value the registry, e.g. the application's
     * @return this
     */
    public Builder<K, V> observationRegistry(ObservationRegistry value) {
      this.observations = Objects.requireNonNull(value, "observationRegistry");
      return this;
    }

    /** @return the outbox */
    public Outbox<K, V> build() {
      return new OutboxWriter<>(keySerializer, valueSerializer, schema, observations);
    }
  }
}
