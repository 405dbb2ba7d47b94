package io.github.kafkadedup.consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * The one unchecked exception of kafka-dedup. {@link #kind()} says what went wrong; when it concerns one
 * record, {@link #topic()}, {@link #partition()}, {@link #offset()} and {@link #key()} say which, and the
 * message ends with {@code for <topic>-<partition>@<offset> key=<key>}.
 */
public class DedupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** The record has no dedup key and no fallback strategy found one. */
    MISSING_KEY,
    /** The key exists but is unusable (e.g. not UTF-8). */
    INVALID_KEY,
    /** The key is longer than {@code maxKeyBytes} and oversized keys are rejected. */
    KEY_TOO_LONG,
    /** The record's key was dead-lettered before and the replay policy sends it to the recoverer. */
    DEAD_LETTERED_BEFORE,
    /**
     * The consumer's key or value deserializer could not read the record ({@link DedupConsumer}): the
     * recoverer gets it with a {@code null} key and value and its headers; the cause, a
     * {@code RecordDeserializationException}, holds the original bytes.
     */
    UNDESERIALIZABLE,
    /** The user's handler threw. */
    HANDLER_FAILED,
    /** The database failed, also after the configured retries. */
    DATABASE,
    /** The recoverer (e.g. the dead-letter publisher) failed; the record was not acknowledged. */
    RECOVERER_FAILED,
    /** This consumer no longer owns the partition (offsets in PostgreSQL mode); nothing was written. */
    FENCED,
    /** Settings that would break exactly-once (e.g. {@code enable.auto.commit=true}). */
    CONFIGURATION,
    /**
     * Not a failure: the record was stored behind an earlier dead letter of its sequence ({@link Sequencing});
     * never thrown, it is the reason recorded with the parked record.
     */
    SEQUENCE_PARKED
  }

  private final Kind kind;
  private final @Nullable String topic;
  private final int partition;
  private final long offset;
  private final @Nullable String key;

  /**
   * A new exception; prefer the static factories.
   *
   * @param kind what went wrong
   * @param message description, without the record suffix
   * @param record the record concerned, or {@code null}
   * @param key the dedup key concerned, or {@code null}
   * @param cause the cause, or {@code null}
   */
  protected DedupException(Kind kind, String message, @Nullable ConsumerRecord<?, ?> record,
      @Nullable String key, @Nullable Throwable cause) {
    super(message + suffix(record, key), cause);
    this.kind = kind;
    this.topic = record == null ? null : record.topic();
    this.partition = record == null ? -1 : record.partition();
    this.offset = record == null ? -1 : record.offset();
    this.key = key;
  }

  private static String suffix(@Nullable ConsumerRecord<?, ?> record, @Nullable String key) {
    if (record == null) {
      return "";
    }
    return " for " + record.topic() + "-" + record.partition() + "@" + record.offset()
        + (key == null ? "" : " key=" + abbreviate(key));
  }

  static String abbreviate(String key) {
    return key.length() <= 80 ? key : key.substring(0, 60) + "...(" + key.length() + " chars)";
  }

  /**
   * A key that exists but cannot be used.
   *
   * @param record the record
   * @param why what is wrong with the key
   * @param cause the decoding failure, or {@code null}
   * @return the exception
   */
  public static DedupException invalidKey(ConsumerRecord<?, ?> record, String why, @Nullable Throwable cause) {
    return new DedupException(Kind.INVALID_KEY, "invalid dedup key: " + why, record, null, cause);
  }

  /**
   * No dedup key found.
   *
   * @param record the record
   * @param strategy the strategy that found none
   * @return the exception
   */
  public static DedupException missingKey(ConsumerRecord<?, ?> record, KeyStrategy<?, ?> strategy) {
    return new DedupException(Kind.MISSING_KEY, "no dedup key found by " + strategy, record, null, null);
  }

  /**
   * A key longer than {@code maxKeyBytes}.
   *
   * @param record the record
   * @param bytes the key's length in UTF-8 bytes
   * @param max the limit
   * @return the exception
   */
  public static DedupException keyTooLong(ConsumerRecord<?, ?> record, int bytes, int max) {
    return new DedupException(Kind.KEY_TOO_LONG, "dedup key is " + bytes + " bytes, more than maxKeyBytes="
        + max + " (hash it with oversizedKeys(HASH) or shorten it)", record, null, null);
  }

  /**
   * A replay of a dead-lettered key, sent to the recoverer again.
   *
   * @param record the record
   * @param key its key
   * @return the exception
   */
  public static DedupException deadLetteredBefore(ConsumerRecord<?, ?> record, String key) {
    return new DedupException(Kind.DEAD_LETTERED_BEFORE, "this key was dead-lettered before; its replay "
        + "goes to the recoverer (deadLetteredReplay=RECOVER)", record, key, null);
  }

  /**
   * The consumer's deserializer could not read this record.
   *
   * @param record the record as far as it is known (topic, partition, offset, headers; null key and value)
   * @param cause the deserialization failure, with the original bytes
   * @return the exception
   */
  public static DedupException undeserializable(ConsumerRecord<?, ?> record, Throwable cause) {
    return new DedupException(Kind.UNDESERIALIZABLE, "cannot be deserialized: " + cause.getMessage(), record, null,
        cause);
  }

  /**
   * The handler threw for this record.
   *
   * @param record the record
   * @param key its key, or {@code null} when none is claimed
   * @param cause what the handler threw
   * @return the exception
   */
  public static DedupException handlerFailed(ConsumerRecord<?, ?> record, @Nullable String key, Throwable cause) {
    return new DedupException(Kind.HANDLER_FAILED, "handler failed: " + cause, record, key, cause);
  }

  /**
   * The database failed, also after retries.
   *
   * @param what what was being done
   * @param cause the last failure
   * @return the exception
   */
  public static DedupException database(String what, Throwable cause) {
    return new DedupException(Kind.DATABASE, what + ": " + cause, null, null, cause);
  }

  /**
   * The recoverer failed; the record stays unacknowledged.
   *
   * @param record the record
   * @param key its key, or {@code null}
   * @param cause what the recoverer threw
   * @return the exception
   */
  public static DedupException recovererFailed(ConsumerRecord<?, ?> record, @Nullable String key, Throwable cause) {
    return new DedupException(Kind.RECOVERER_FAILED, "recoverer failed, record not acknowledged: " + cause,
        record, key, cause);
  }

  /**
   * The reason of a record parked behind the dead letter that heads its sequence ({@link Sequencing}).
   *
   * @param record the parked record
   * @param key its dedup key, or {@code null}
   * @param headId the dead letter its sequence waits behind
   * @return the exception (never thrown: recorded with the parked record)
   */
  public static DedupException sequenceParked(ConsumerRecord<?, ?> record, @Nullable String key, long headId) {
    return new DedupException(Kind.SEQUENCE_PARKED, "parked behind dead letter " + headId + " of its sequence",
        record, key, null);
  }

  /**
   * Settings that would break exactly-once.
   *
   * @param message names the property, its value and the fix
   * @return the exception
   */
  public static DedupException configuration(String message) {
    return new DedupException(Kind.CONFIGURATION, message, null, null, null);
  }

  /**
   * This consumer lost ownership of a partition (offsets in PostgreSQL mode).
   *
   * @param message which partition and which generations
   * @return the exception
   */
  public static DedupException fenced(String message) {
    return new DedupException(Kind.FENCED, message, null, null, null);
  }

  /** @return what went wrong */
  public Kind kind() {
    return kind;
  }

  /** @return the record's topic, or {@code null} when no record is concerned */
  public @Nullable String topic() {
    return topic;
  }

  /** @return the record's partition, or -1 */
  public int partition() {
    return partition;
  }

  /** @return the record's offset, or -1 */
  public long offset() {
    return offset;
  }

  /** @return the dedup key concerned, or {@code null} */
  public @Nullable String key() {
    return key;
  }
}
