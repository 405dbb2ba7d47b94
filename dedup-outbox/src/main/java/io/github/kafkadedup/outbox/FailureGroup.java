package io.github.kafkadedup.outbox;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Dead letters of one cause ({@link DeadLetters#groups}): one scope, source topic, reason, exception class and
 * exception message with its numbers and ids masked.
 *
 * @param fingerprint the group's id (16 hex characters), stored on each of its dead letters
 * @param scope the dedup scope, or {@code null} for {@link DeadLetters.Reason#UNPUBLISHABLE}
 * @param topic the source topic
 * @param reason why its dead letters were dead-lettered
 * @param exceptionClass the failure's class name, or {@code null}
 * @param message the newest dead letter's exception message (at most 200 characters) with its numbers and ids
 *     masked as in the fingerprint ({@code <n>}, {@code <uuid>}, {@code <hex>}), {@code ""} if it had none
 * @param count how many dead letters match
 * @param open how many of them still wait for an operator (pending, published or held)
 * @param firstSeen when the oldest was stored
 * @param lastSeen when the newest was stored
 */
public record FailureGroup(String fingerprint, @Nullable String scope, String topic, DeadLetters.Reason reason,
    @Nullable String exceptionClass, @Nullable String message, long count, long open, Instant firstSeen,
    Instant lastSeen) {}
