package io.github.kafkadedup.consumer.internal;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

/**
 * The dead-letter copy of last resort: when the full copy of a record can never be sent (too large for the
 * producer or the broker, or not serializable), a copy without the value and without oversized headers
 * that names where the original is, so the partition is not blocked on it forever. Kept small and in one
 * place so that the outbox's dead-letter table can replace it.
 */
final class ReducedDeadLetter {
  /** Original headers and keys up to this size survive in the reduced copy (an idempotency key, a trace id). */
  static final int KEEP_AT_MOST = 1024;
  private static final int KEEP_HEADERS_TOTAL = 64 * 1024;

  private ReducedDeadLetter() {}

  /**
   * Whether {@code failure} of sending {@code record}'s copy would recur on every retry: it is about the
   * record itself, not the broker's state (for which retrying is right).
   */
  static boolean cannotEverBeSent(@Nullable Throwable failure) {
    return failure instanceof RecordTooLargeException || failure instanceof RecordBatchTooLargeException
        || failure instanceof InvalidRecordException || failure instanceof SerializationException;
  }

  /**
   * The reduced copy of {@code original} for {@code target}: its small key and small original headers, the
   * dead-letter headers of {@code full} ({@code dedup-dlt-*}, which name the source topic-partition@offset),
   * and {@code dedup-dlt-reduced} (why), {@code dedup-dlt-original-key-bytes}, {@code -value-bytes} and
   * {@code -headers-bytes} (-1 where unknown).
   *
   * @param full the copy that could not be sent, or {@code null} if it could not even be built
   */
  static ProducerRecord<byte[], byte[]> of(ConsumerRecord<?, ?> original, @Nullable ProducerRecord<byte[], byte[]> full,
      Headers deadLetterHeaders, String target, Throwable failure) {
    byte[] key = full == null ? null : full.key();
    Headers headers = new RecordHeaders();
    int kept = 0;
    long originalHeaderBytes = 0;
    for (Header h : original.headers()) {
      int size = h.key().length() + (h.value() == null ? 0 : h.value().length);
      originalHeaderBytes += size;
      if (size <= KEEP_AT_MOST && kept + size <= KEEP_HEADERS_TOTAL && !h.key().startsWith("dedup-dlt-")) {
        headers.add(h);
        kept += size;
      }
    }
    for (Header h : deadLetterHeaders) {
      if (h.key().startsWith("dedup-dlt-")) {
        headers.add(h);
      }
    }
    put(headers, "dedup-dlt-reduced", DeadLetterPublisher.truncate(failure.getClass().getSimpleName() + ": "
        + failure.getMessage() + " (the full copy can never be sent: value and headers over " + KEEP_AT_MOST
        + " bytes dropped; read the original at the source offset while the topic retains it)"));
    put(headers, "dedup-dlt-original-key-bytes", Long.toString(length(full == null ? null : full.key(), full)));
    put(headers, "dedup-dlt-original-value-bytes", Long.toString(length(full == null ? null : full.value(), full)));
    put(headers, "dedup-dlt-original-headers-bytes", Long.toString(originalHeaderBytes));
    return new ProducerRecord<>(target, null, original.timestamp(),
        key != null && key.length <= KEEP_AT_MOST ? key : null, null, headers);
  }

  private static long length(byte @Nullable [] bytes, @Nullable ProducerRecord<?, ?> full) {
    return full == null ? -1 : bytes == null ? 0 : bytes.length;
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
