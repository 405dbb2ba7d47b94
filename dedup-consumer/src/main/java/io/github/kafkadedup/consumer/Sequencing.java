package io.github.kafkadedup.consumer;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * Dead letters in order: the sequence a record belongs to (an account, an order), so that when one record of a
 * sequence is dead-lettered, the later records of that sequence wait behind it instead of being applied out of
 * order. Opt in with {@code DedupProcessor.Builder.sequencing} or {@code DedupConsumer.Builder.sequencing}; it
 * needs {@link Recoverer#deadLetterTable}.
 *
 * <p>A sequence is the records of one sequence key on one source partition, in the consumer's scope (Kafka
 * orders records within a partition only). When a record is dead-lettered, its sequence is <em>parked</em>:
 * every later record of the sequence is stored in the dead-letter table in state {@code parked} behind it (its
 * dedup key claimed, so a redelivery does not park it twice), while the records of every other sequence flow.
 * {@code DeadLetters.replay} of the head puts the head and the parked records back on the source topic in
 * offset order, and the consumer applies each exactly once; the sequence is released after the last of them,
 * and records of the sequence that arrive during the replay queue behind it. {@code DeadLetters.discard} of the
 * head releases the parked records in order or discards them with it ({@code DeadLetters.Followers}).
 *
 * <p>A record whose sequence key is {@code null} belongs to no sequence: it is never parked and never parks
 * anything. With nothing parked, sequencing costs no database round trip.
 *
 * @param <K> record key type
 * @param <V> record value type
 */
@FunctionalInterface
public interface Sequencing<K, V> {

  /**
   * The sequence key of {@code record}.
   *
   * @param record a consumed record
   * @return its sequence key, or {@code null} if it belongs to no sequence
   */
  @Nullable String sequenceOf(ConsumerRecord<K, V> record);

  /**
   * The record key is the sequence key: a {@code String} as it is, a {@code byte[]} as hex, anything else by
   * {@code toString()}; a record without a key belongs to no sequence. Replayed records keep their record key,
   * so they return to the same partition as long as the topic's partition count does not change.
   *
   * @param <K> record key type
   * @param <V> record value type
   * @return the strategy
   */
  static <K, V> Sequencing<K, V> byRecordKey() {
    return record -> {
      Object key = record.key();
      if (key == null) {
        return null;
      }
      return key instanceof byte[] bytes ? HexFormat.of().formatHex(bytes) : key.toString();
    };
  }

  /**
   * A sequence key computed from each record, e.g. an account id read from the value. Keep the records of one
   * sequence on one partition (the same record key, or a partitioner that puts them there): ordering is per
   * partition.
   *
   * @param sequenceKey the sequence key of a record, or {@code null} for none; it must not throw
   * @param <K> record key type
   * @param <V> record value type
   * @return the strategy
   */
  static <K, V> Sequencing<K, V> by(Function<ConsumerRecord<K, V>, @Nullable String> sequenceKey) {
    Objects.requireNonNull(sequenceKey, "sequenceKey");
    return sequenceKey::apply;
  }

  /**
   * The sequence key of {@code record} by {@code sequencing}, checked: at most 1,000 bytes of UTF-8 and no NUL
   * (what PostgreSQL text stores); a record whose key is longer, holds a NUL or cannot be
   * computed belongs to no sequence (never an exception).
   *
   * @param sequencing the strategy
   * @param record the record
   * @param <K> record key type
   * @param <V> record value type
   * @return the key, or {@code null} if none
   */
  static <K, V> @Nullable String keyOf(Sequencing<K, V> sequencing, ConsumerRecord<K, V> record) {
    String key;
    try {
      key = sequencing.sequenceOf(record);
    } catch (RuntimeException e) {
      return null; // no sequence: the record is handled like any other (and dead-lettered if it fails)
    }
    if (key == null || key.indexOf('\u0000') >= 0) {
      return null;
    }
    return key.getBytes(StandardCharsets.UTF_8).length <= 1000 ? key : null;
  }
}
