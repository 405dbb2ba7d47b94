package io.github.kafkadedup.outbox.internal;

import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.producer.IdempotencyKeys;
import io.micrometer.observation.ObservationRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/** The {@link Outbox} implementation: serializes records into rows and inserts them in one statement. */
public final class OutboxWriter<K, V> implements Outbox<K, V> {
  private final Serializer<K> keySerializer;
  private final Serializer<V> valueSerializer;
  private final DedupSchema schema;
  private final String insert;
  private final ObservationRegistry observations;

  /**
   * Use {@link Outbox#builder}: public only because that builder is in another
   * package; outside this module, module-info
   * lets only the engine module see this package.
   */
  public OutboxWriter(Serializer<K> keySerializer, Serializer<V> valueSerializer, DedupSchema schema,
      ObservationRegistry observations) {
    this.keySerializer = keySerializer;
    this.valueSerializer = valueSerializer;
    this.schema = schema;
    this.insert = insertSql(schema);
    this.observations = observations;
  }

  /** This outbox, its spans going to {@code registry} unless the builder named a registry already. */
  public OutboxWriter<K, V> observedBy(ObservationRegistry registry) {
    return Observations.on(observations) || !Observations.on(registry) ? this
        : new OutboxWriter<>(keySerializer, valueSerializer, schema, registry);
  }

  private static String insertSql(DedupSchema schema) {
    // unnest zips the arrays row by row, in order: the identity follows the order of the sends
    return "INSERT INTO " + schema.outbox() + " (lane, topic, record_key, record_value, headers, dead_letter_id) "
        + "SELECT * FROM unnest(?::int[], ?::text[], ?::bytea[], ?::bytea[], ?::bytea[], ?::bigint[])";
  }

  /** The LISTEN/NOTIFY channel of the outbox table: its qualified name (a valid identifier when quoted). */
  static String channel(DedupSchema schema) {
    return schema.outbox();
  }

  @Override
  public DedupSchema schema() {
    return schema;
  }

  @Override
  public void send(Connection transaction, String topic, @Nullable K key, @Nullable V value,
      Iterable<? extends Header> headers) throws SQLException {
    if (transaction.getAutoCommit()) {
      throw new IllegalStateException("Outbox.send needs a connection inside a transaction (autocommit "
          + "off): in autocommit mode the record would be published even if the caller's work rolled back");
    }
    insert(transaction, List.of(row(topic, key, value, headers, IdempotencyKeys.newKey())));
  }

  /**
   * Writes one record with the given idempotency key (unless {@code headers} has one) on {@code c}, which
   * must be inside a transaction; for integrations that derive the key themselves (Spring).
   */
  public void write(Connection c, String topic, @Nullable K key, @Nullable V value,
      Iterable<? extends Header> headers, UUID idempotencyKey) throws SQLException {
    insert(c, List.of(row(topic, key, value, headers, idempotencyKey)));
  }

  /** Serializes a record sent through an untyped {@code DedupContext.send}; a wrong type fails here. */
  @SuppressWarnings("unchecked")
  OutboxRow untypedRow(String topic, @Nullable Object key, @Nullable Object value,
      Iterable<? extends Header> headers, UUID idempotencyKey) {
    return row(topic, (K) key, (V) value, headers, idempotencyKey);
  }

  OutboxRow row(String topic, @Nullable K key, @Nullable V value, Iterable<? extends Header> headers,
      UUID idempotencyKey) {
    if (topic == null || topic.isEmpty()) {
      throw new IllegalArgumentException("topic must not be empty, but was " + (topic == null ? "null" : "''"));
    }
    RecordHeaders all = new RecordHeaders();
    headers.forEach(all::add);
    byte[] keyBytes = keySerializer.serialize(topic, all, key);
    byte[] valueBytes = valueSerializer.serialize(topic, all, value);
    if (all.lastHeader(IDEMPOTENCY_KEY_HEADER) == null) {
      all.add(IDEMPOTENCY_KEY_HEADER, idempotencyKey.toString().getBytes(StandardCharsets.US_ASCII));
    }
    Observations.outboxWrite(observations, topic, all);
    return OutboxRow.toInsert(topic, keyBytes, valueBytes, HeaderCodec.encode(all), null);
  }

  /** Inserts {@code rows} in one statement and signals the relays (delivered at commit, once). */
  void insert(Connection c, List<OutboxRow> rows) throws SQLException {
    insert(c, insert, OutboxWriter.channel(schema), rows);
  }

  /**
   * Inserts rows already serialized (dead letters, replays) into {@code schema}'s outbox on {@code c},
   * inside the caller's transaction, and signals the relays at commit.
   */
  public static void insertRows(Connection c, DedupSchema schema, List<OutboxRow> rows) throws SQLException {
    insert(c, insertSql(schema), channel(schema), rows);
  }

  private static void insert(Connection c, String insert, String channel, List<OutboxRow> rows)
      throws SQLException {
    int n = rows.size();
    Integer[] lanes = new Integer[n];
    String[] topics = new String[n];
    byte[][] keys = new byte[n][];
    byte[][] values = new byte[n][];
    byte[][] headers = new byte[n][];
    Long[] deadLetterIds = new Long[n];
    for (int i = 0; i < n; i++) {
      OutboxRow r = rows.get(i);
      lanes[i] = r.lane();
      topics[i] = r.topic();
      keys[i] = r.key();
      values[i] = r.value();
      headers[i] = r.headers();
      deadLetterIds[i] = r.deadLetterId();
    }
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      Array[] arrays = {c.createArrayOf("int4", lanes), c.createArrayOf("text", topics),
          c.createArrayOf("bytea", keys), c.createArrayOf("bytea", values), c.createArrayOf("bytea", headers),
          c.createArrayOf("int8", deadLetterIds)};
      for (int i = 0; i < arrays.length; i++) {
        ps.setArray(i + 1, arrays[i]);
      }
      ps.executeUpdate();
    }
    notify(c, channel);
  }

  /** Signals the relays of {@code schema}'s outbox when the caller's transaction commits. */
  public static void notifyRelays(Connection c, DedupSchema schema) throws SQLException {
    notify(c, channel(schema));
  }

  private static void notify(Connection c, String channel) throws SQLException {
    try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, '')")) {
      notify.setString(1, channel); // PostgreSQL folds equal notifications of one transaction into one
      notify.executeQuery().close();
    }
  }
}
