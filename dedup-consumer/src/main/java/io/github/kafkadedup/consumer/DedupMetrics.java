package io.github.kafkadedup.consumer;

import io.github.kafkadedup.consumer.internal.MicrometerDedupMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Receives the engine's counts and latencies. {@link #micrometer(MeterRegistry)} registers meters
 * {@code kafka.dedup.records.processed}, {@code kafka.dedup.duplicates} (tag {@code cause}),
 * {@code kafka.dedup.dead.lettered} (tag {@code kind}), {@code kafka.dedup.failures} (tag {@code type}),
 * {@code kafka.dedup.claim.latency} (timer), {@code kafka.dedup.batch.size} (distribution),
 * {@code kafka.dedup.offset.commit.failures} (tag {@code exception}),
 * {@code kafka.dedup.dead.letter.reduced} (tag {@code reason}) and the gauge {@code kafka.dedup.database.unavailable}
 * (1 while the consumer is without its database past the bound, else 0), each tagged with {@code scope}. Every method
 * has a no-op default.
 */
public interface DedupMetrics {

  /**
   * Records applied by the handler and committed.
   *
   * @param scope the dedup scope
   * @param count how many
   */
  default void processed(String scope, int count) {}

  /**
   * Duplicates skipped (or, in observe mode, seen).
   *
   * @param scope the dedup scope
   * @param cause redelivery or re-send
   * @param count how many
   */
  default void duplicates(String scope, DuplicateCause cause, int count) {}

  /**
   * A record handed to the recoverer.
   *
   * @param scope the dedup scope
   * @param kind why
   */
  default void deadLettered(String scope, DedupException.Kind kind) {}

  /**
   * A failed attempt: {@code transient} (retried), {@code batch} (the batch was split into records).
   *
   * @param scope the dedup scope
   * @param type the failure type
   */
  default void failure(String scope, String type) {}

  /**
   * One claim round trip.
   *
   * @param scope the dedup scope
   * @param keys keys claimed
   * @param nanos how long it took
   */
  default void claim(String scope, int keys, long nanos) {}

  /**
   * A poll batch handed to the engine.
   *
   * @param scope the dedup scope
   * @param records its size
   */
  default void batch(String scope, int records) {}

  /**
   * A Kafka offset commit that failed after the database commit (e.g. {@code RebalanceInProgressException}
   * during a cooperative rebalance); the offsets are committed again after the next poll, and records
   * redelivered meanwhile are skipped as duplicates. The log has a WARN for the first
   * failure of an episode (until a commit succeeds or the rebalance completes), for another exception and for
   * every 100th failure in a row; the others are at DEBUG.
   *
   * @param scope the dedup scope
   * @param exception the simple class name of the failure
   */
  default void offsetCommitFailed(String scope, String exception) {}

  /**
   * A dead-letter copy that could never be sent as it was (e.g. {@code RecordTooLargeException}) was
   * replaced by a reduced copy without value and original headers ({@link Recoverer#deadLetterTopic}).
   *
   * @param scope the dedup scope
   * @param reason the simple class name of the send failure
   */
  default void deadLetterReduced(String scope, String reason) {}

  /**
   * Whether the consumer has been without a working database for longer than its bound and gave its partitions
   * back to the group ({@link io.github.kafkadedup.consumer.internal.DatabaseOutage}); set to false when it answers.
   *
   * @param scope the dedup scope
   * @param unavailable true while the consumer waits for its database outside the group
   */
  default void databaseUnavailable(String scope, boolean unavailable) {}

  /** @return metrics that go nowhere */
  static DedupMetrics none() {
    return new DedupMetrics() {};
  }

  /**
   * Micrometer meters in {@code registry} (micrometer-core is an optional dependency: add it).
   *
   * @param registry the application's registry
   * @return the metrics
   */
  // Micrometer is optional (requires static): a caller of this method has it on its path already
  @SuppressWarnings("exports")
  static DedupMetrics micrometer(MeterRegistry registry) {
    return new MicrometerDedupMetrics(registry);
  }
}
