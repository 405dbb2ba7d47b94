package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DuplicateCause;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.migrations.DedupKeys;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.DeadLetters;
import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.outbox.internal.OutboxKeys;
import io.github.kafkadedup.outbox.internal.DeadLetterWriter;
import io.github.kafkadedup.outbox.internal.ParkedSequences;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Recoverer#deadLetterTable}: the engine stores the record in {@code dead_letters} on the dedup
 * transaction's connection ({@link #store}), so the dead letter commits with the key's {@code D} claim and
 * its copy reaches the dead-letter topic through the outbox relay. {@link #recover} alone cannot do that
 * (no transaction): it refuses.
 */
public final class DeadLetterTable<K, V> implements Recoverer<K, V> {
  private static final Logger log = LoggerFactory.getLogger(EngineLoggers.PROCESSOR);

  private final Serializer<? super K> keySerializer;
  private final Serializer<? super V> valueSerializer;
  private final Function<ConsumerRecord<?, ?>, String> topic;

  /**
   * @param keySerializer key back to bytes
   * @param valueSerializer value back to bytes
   * @param topic the dead-letter topic of a record
   */
  public DeadLetterTable(Serializer<? super K> keySerializer, Serializer<? super V> valueSerializer,
      Function<ConsumerRecord<?, ?>, String> topic) {
    this.keySerializer = keySerializer;
    this.valueSerializer = valueSerializer;
    this.topic = topic;
  }

  @Override
  public void recover(ConsumerRecord<K, V> record, DedupException reason) {
    throw new UnsupportedOperationException("Recoverer.deadLetterTable stores the record in the dedup "
        + "transaction: give it to a DedupConsumer or DedupProcessor builder, which calls it on the transaction");
  }

  /**
   * Dead-letters {@code record} on {@code c}, in the caller's transaction: claims its key {@code D} (none
   * without a key), then stores the record ({@link #store}).
   *
   * @param key its dedup key, or null
   * @return true if it is dead-lettered now; false if this very record was applied or dead-lettered before (a
   *     redelivery, logged as one): nothing was written
   * @throws SQLException on database failure (the transaction must roll back)
   */
  public boolean deadLetter(Classifier classifier, Connection c, DedupSchema schema, String scope,
      ConsumerRecord<K, V> record, @Nullable String key, DedupException reason) throws SQLException {
    return deadLetter(classifier, c, schema, scope, record, key, reason, null) != null;
  }

  /**
   * {@link #deadLetter(Classifier, Connection, DedupSchema, String, ConsumerRecord, String, DedupException)}
   * of a record of sequence {@code sequenceKey} (sequencing).
   *
   * @param sequenceKey its sequence key, or null
   * @return the dead letter's id, or null if this very record was applied or dead-lettered before
   * @throws SQLException on database failure (the transaction must roll back)
   */
  @Nullable Long deadLetter(Classifier classifier, Connection c, DedupSchema schema, String scope,
      ConsumerRecord<K, V> record, @Nullable String key, DedupException reason, @Nullable String sequenceKey)
      throws SQLException {
    if (key != null && !classifier.claimDeadLetter(c, scope, record, key)) {
      return null; // logged by the classifier
    }
    Long id = write(c, schema, scope, record, key, reason, sequenceKey, null);
    if (id == null) {
      // a transaction whose commit outcome was unknown stored it already
      RecordLog.duplicate(log, scope, DuplicateCause.REDELIVERY, record, null);
    }
    return id;
  }

  /**
   * Stores {@code record} (dead-lettered for {@code reason}) on {@code c}, which holds the transaction of
   * its key's {@code D} claim. A record whose bytes cannot be made (a serializer fails) is stored as held,
   * without a copy for the relay.
   *
   * @param key its dedup key, or null
   * @return whether it was stored now (false: this very record was stored before)
   * @throws SQLException on database failure
   */
  public boolean store(Connection c, DedupSchema schema, String scope, ConsumerRecord<K, V> record,
      @Nullable String key, DedupException reason) throws SQLException {
    return write(c, schema, scope, record, key, reason, null, null) != null;
  }

  /**
   * Stores a record of a parked sequence without a copy for the dead-letter topic, in state {@code state}
   * ({@code PARKED}, or {@code REPLAYED} when it queues behind its sequence's replay: the caller writes its
   * copy). Its bytes must be serializable (a record whose serializer fails is stored held instead).
   *
   * @return the new row's id, or null if this very record was stored before
   * @throws SQLException on database failure
   */
  @Nullable Long storeSequenced(Connection c, DedupSchema schema, String scope, ConsumerRecord<K, V> record,
      @Nullable String key, DedupException reason, String sequenceKey, DeadLetters.State state)
      throws SQLException {
    return write(c, schema, scope, record, key, reason, sequenceKey, state);
  }

  private @Nullable Long write(Connection c, DedupSchema schema, String scope, ConsumerRecord<K, V> record,
      @Nullable String key, DedupException reason, @Nullable String sequenceKey, DeadLetters.@Nullable State state)
      throws SQLException {
    Headers dltHeaders = DeadLetterPublisher.deadLetterHeaders(record, reason);
    if (dltHeaders.lastHeader(Outbox.IDEMPOTENCY_KEY_HEADER) == null) {
      // so that a DLT consumer with KeyStrategy.header() drops a relay's re-publish of this copy
      dltHeaders.add(Outbox.IDEMPOTENCY_KEY_HEADER, OutboxKeys.derived(scope, "dead-letter/" + RecordLog.where(record), 0)
          .toString().getBytes(StandardCharsets.US_ASCII));
    }
    Throwable failure = reason.getCause() != null ? reason.getCause() : reason;
    byte[] keyBytes = null;
    byte[] valueBytes = null;
    String serializationError = null;
    try {
      keyBytes = keyBytes(record, reason);
      valueBytes = valueBytes(record, reason);
    } catch (RuntimeException e) {
      serializationError = "the record could not be serialized back to bytes, so it is stored without them "
          + "and not published: " + e;
    }
    Instant timestamp = record.timestamp() == RecordBatch.NO_TIMESTAMP ? null : Instant.ofEpochMilli(record.timestamp());
    DeadLetterWriter.Entry entry = new DeadLetterWriter.Entry(scope, key, key == null ? null : DedupKeys.id(key),
        reasonOf(reason.kind()), record.topic(), record.partition(), record.offset(), timestamp, keyBytes,
        valueBytes, new RecordHeaders(record.headers().toArray()), failure, topic.apply(record), dltHeaders);
    DeadLetterWriter writer = new DeadLetterWriter(schema);
    if (serializationError != null) {
      return writer.writeHeld(c, entry, serializationError, sequenceKey);
    }
    if (state == null || sequenceKey == null) {
      return writer.write(c, entry, sequenceKey);
    }
    boolean queued = state == DeadLetters.State.REPLAYED;
    Long id = writer.writeSequenced(c, entry, sequenceKey, state,
        queued ? "arrived while its sequence was being replayed: queued behind the replayed records" : null);
    if (id != null && queued) {
      new ParkedSequences(schema).enqueueCopy(c, id, record.topic(), keyBytes, valueBytes, record.headers());
    }
    return id;
  }

  /** The stored reason of a dead-lettering {@code kind}. */
  static DeadLetters.Reason reasonOf(DedupException.Kind kind) {
    return switch (kind) {
      case UNDESERIALIZABLE -> DeadLetters.Reason.UNDESERIALIZABLE;
      case MISSING_KEY -> DeadLetters.Reason.MISSING_KEY;
      case INVALID_KEY -> DeadLetters.Reason.INVALID_KEY;
      case KEY_TOO_LONG -> DeadLetters.Reason.KEY_TOO_LONG;
      case DEAD_LETTERED_BEFORE -> DeadLetters.Reason.DEAD_LETTERED_BEFORE;
      case SEQUENCE_PARKED -> DeadLetters.Reason.SEQUENCE_PARKED;
      default -> DeadLetters.Reason.HANDLER_FAILED;
    };
  }

  private byte @Nullable [] keyBytes(ConsumerRecord<K, V> record, DedupException reason) {
    if (reason.getCause() instanceof RecordDeserializationException raw) {
      return bytes(raw.keyBuffer()); // the deserializer failed: keep the original bytes
    }
    return record.key() == null ? null
        : keySerializer.serialize(record.topic(), new RecordHeaders(record.headers().toArray()), record.key());
  }

  private byte @Nullable [] valueBytes(ConsumerRecord<K, V> record, DedupException reason) {
    if (reason.getCause() instanceof RecordDeserializationException raw) {
      return bytes(raw.valueBuffer());
    }
    return record.value() == null ? null
        : valueSerializer.serialize(record.topic(), new RecordHeaders(record.headers().toArray()), record.value());
  }

  private static byte @Nullable [] bytes(@Nullable ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
