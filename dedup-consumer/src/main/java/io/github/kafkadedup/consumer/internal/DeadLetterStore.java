package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/**
 * The engine's exactly-once dead-lettering ({@code Recoverer.deadLetterTable}) for integrations that run their
 * own transactions: on the caller's connection, inside its transaction, a record's key is claimed as
 * dead-lettered ({@code D}, as {@link Classifier#claimDeadLetter}) and the record is stored in
 * {@code dead_letters} with its copy for the dead-letter topic in the outbox, which the outbox relay publishes
 * after the commit. The stored reason is the closed set of {@code DeadLetters.Reason}, from the
 * {@link DedupException.Kind} of the reason given.
 *
 * @param <K> key type of the records
 * @param <V> value type of the records
 */
public final class DeadLetterStore<K, V> {
  private final Classifier classifier;
  private final DedupSchema schema;
  private final DeadLetterTable<K, V> table;

  private DeadLetterStore(DedupConfig config, DeadLetterTable<K, V> table) {
    this.classifier = Classifier.of(config);
    this.schema = config.schema();
    this.table = table;
  }

  /**
   * A store in {@code config}'s schema.
   *
   * @param config schema and the claim rules
   * @param keySerializer turns a record key back to bytes (not used for a record that could not be
   *     deserialized: its original bytes are kept)
   * @param valueSerializer turns a record value back to bytes
   * @param topic the dead-letter topic of a record, e.g. {@code r -> r.topic() + ".DLT"}
   * @param <K> key type
   * @param <V> value type
   * @return the store; thread-safe if the serializers are
   */
  public static <K, V> DeadLetterStore<K, V> of(DedupConfig config, Serializer<? super K> keySerializer,
      Serializer<? super V> valueSerializer, Function<ConsumerRecord<?, ?>, String> topic) {
    return new DeadLetterStore<>(Objects.requireNonNull(config, "config"),
        new DeadLetterTable<>(Objects.requireNonNull(keySerializer, "keySerializer"),
            Objects.requireNonNull(valueSerializer, "valueSerializer"), Objects.requireNonNull(topic, "topic")));
  }

  /**
   * Dead-letters {@code record} on {@code c}: claims its key {@code D} (none without a key) and stores the
   * record, both in the caller's transaction. A record whose key or value cannot be serialized back is stored
   * held (not published), as in the engine.
   *
   * @param c the caller's connection, inside its transaction
   * @param scope the dedup scope
   * @param record the record
   * @param key its dedup key, or {@code null} if it has none
   * @param reason why; its kind picks the stored reason, its cause (or itself) the stored exception
   * @return true if it is dead-lettered now; false if this very record was applied or dead-lettered before (a
   *     redelivery, logged as one by the engine's logger): nothing was written
   * @throws SQLException on database failure (the transaction must roll back)
   */
  public boolean store(Connection c, String scope, ConsumerRecord<K, V> record, @Nullable String key,
      DedupException reason) throws SQLException {
    return table.deadLetter(classifier, c, schema, scope, record, key, reason);
  }

  /**
   * {@link #store(Connection, String, ConsumerRecord, String, DedupException)} with sequencing: a record of a
   * sequence (by {@code gate}) is stored with its sequence key and parks its sequence, in the caller's
   * transaction, as the engine's dead-lettering does; later records of the sequence then wait behind it.
   *
   * @param c the caller's connection, inside its transaction
   * @param scope the dedup scope
   * @param record the record
   * @param key its dedup key, or {@code null} if it has none
   * @param reason why
   * @param gate the sequencing of the consumer that dead-letters it, or {@code null} for none
   * @return true if it is dead-lettered now; false if this very record was applied or dead-lettered before
   * @throws SQLException on database failure (the transaction must roll back)
   */
  public boolean store(Connection c, String scope, ConsumerRecord<K, V> record, @Nullable String key,
      DedupException reason, @Nullable SequenceGate<K, V> gate) throws SQLException {
    String sequence = gate == null ? null : gate.sequenceOf(record);
    if (sequence == null) {
      return store(c, scope, record, key, reason);
    }
    Long id = table.deadLetter(classifier, c, schema, scope, record, key, reason, sequence);
    if (id != null) {
      gate.parkedNow(c, record, sequence, id);
    }
    return id != null;
  }

  /** The table the store writes to (sequencing stores parked records in it). */
  DeadLetterTable<K, V> table() {
    return table;
  }
}
