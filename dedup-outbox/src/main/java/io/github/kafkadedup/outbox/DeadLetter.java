package io.github.kafkadedup.outbox;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/**
 * One row of the {@code dead_letters} table (migration V5), as {@link DeadLetters} reads it.
 *
 * @param id the row's id (the handle of {@link DeadLetters#show}, {@link DeadLetters#replay} and
 *     {@link DeadLetters#discard})
 * @param createdAt when the dead-lettering transaction started
 * @param state where it is now
 * @param reason why it was dead-lettered
 * @param scope the dedup scope of the consumer that dead-lettered it; {@code null} for
 *     {@link DeadLetters.Reason#UNPUBLISHABLE}
 * @param key the dedup key as text, or {@code null} if the record had none (then no claim was made)
 * @param keyId the key's claim id ({@code claims.key_id}), or {@code null} without a key
 * @param sourceTopic the topic the record came from (for {@code UNPUBLISHABLE}: the topic it was for)
 * @param sourcePartition its partition, or {@code null} for {@code UNPUBLISHABLE}
 * @param sourceOffset its offset, or {@code null} for {@code UNPUBLISHABLE}
 * @param recordTimestamp the record's timestamp, or {@code null} if it had none
 * @param keySize size of the record key in bytes, -1 for a {@code null} key
 * @param valueSize size of the record value in bytes, -1 for a {@code null} value
 * @param exceptionClass the failure's class name (the handler's exception, the deserializer's, ...)
 * @param exceptionMessage the failure's message (at most 4096 characters)
 * @param dltTopic the dead-letter topic its copy is published to; {@code null} for {@code UNPUBLISHABLE}
 * @param publishedAt when the relay published the copy, or {@code null}
 * @param attempts publish attempts that failed for the record itself
 * @param lastError the last such failure, or {@code null}
 * @param lastAction the last operator action on it, or {@code null}
 * @param payload the record's bytes and the failure's stack trace: only from {@link DeadLetters#show},
 *     {@code null} in {@link DeadLetters#list}
 * @param sequenceKey its sequence key if its consumer keeps sequences in order (sequencing), else {@code null}
 * @param fingerprint its failure group ({@link FailureGroup#fingerprint()}), or {@code null} for rows stored
 *     before schema version 8 and for {@link DeadLetters.Reason#UNPUBLISHABLE}
 * @param recordKey the Kafka record key as text (its first 200 bytes: UTF-8, or {@code 0x} and hexadecimal if
 *     they are not UTF-8), or {@code null} if the record had no key
 */
public record DeadLetter(long id, Instant createdAt, DeadLetters.State state, DeadLetters.Reason reason,
    @Nullable String scope, @Nullable String key, @Nullable UUID keyId, String sourceTopic,
    @Nullable Integer sourcePartition, @Nullable Long sourceOffset, @Nullable Instant recordTimestamp,
    int keySize, int valueSize, @Nullable String exceptionClass, @Nullable String exceptionMessage,
    @Nullable String dltTopic, @Nullable Instant publishedAt, int attempts, @Nullable String lastError,
    @Nullable Action lastAction, @Nullable Payload payload, @Nullable String sequenceKey,
    @Nullable String fingerprint, @Nullable String recordKey) {

  /** @return {@code topic-partition@offset} of the source record, or the topic alone without an offset */
  public String source() {
    return sourcePartition == null ? sourceTopic : sourceTopic + "-" + sourcePartition + "@" + sourceOffset;
  }

  /**
   * The record as it was on its source topic.
   *
   * @param key the key bytes, or {@code null}
   * @param value the value bytes, or {@code null} (a tombstone)
   * @param headers the original headers, in order
   * @param stackTrace the failure's stack trace (truncated), or {@code null}
   */
  public record Payload(byte @Nullable [] key, byte @Nullable [] value, List<Header> headers,
      @Nullable String stackTrace) {}

  /**
   * An operator action ({@link DeadLetters#replay} or {@link DeadLetters#discard}).
   *
   * @param at when
   * @param dbUser the database role that ran it ({@code current_user})
   * @param operator who, as given (free text), or {@code null}
   * @param reason why, as given (never blank)
   */
  public record Action(Instant at, String dbUser, @Nullable String operator, String reason) {}
}
