package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.BatchResult;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/** The engine's rules on consumer settings, failures and record names, shared with the integrations. */
public final class EngineRules {
  private EngineRules() {}

  /**
   * What an explicit {@code auto.offset.reset} other than {@code earliest} costs, for one log line at start.
   *
   * @param consumerProperties the consumer's properties
   * @return the warning, or {@code null} when the value is {@code earliest} or absent
   */
  public static @Nullable String offsetResetWarning(Map<String, ?> consumerProperties) {
    return ConsumerSettings.offsetResetWarning(consumerProperties);
  }

  /**
   * Whether {@code failure} (or a cause) is a transient database failure that a new transaction may cure
   * (SQLSTATE class 08, 40001, 40P01, 55P03, 57P01-03, 53300, 57014).
   *
   * @param failure the failure
   * @return true if a retry may succeed
   */
  public static boolean isTransient(Throwable failure) {
    return TransientErrors.isTransient(failure);
  }

  /**
   * Logs what one committed batch did, in the engine's words: at INFO when it had duplicates, dead letters or
   * was split into records, else at DEBUG.
   *
   * @param log the logger (the engine's is {@code io.github.kafkadedup.consumer.DedupProcessor})
   * @param scope the dedup scope
   * @param r the batch's counts
   */
  public static void logBatch(Logger log, String scope, BatchResult r) {
    if (r.duplicates() > 0 || r.deadLettered() > 0 || r.splitIntoRecords()) {
      log.info("[{}] batch of {}: {} processed, {} redeliveries, {} re-sends, {} dead-lettered{}", scope,
          r.records(), r.processed(), r.redeliveries(), r.resends(), r.deadLettered(),
          r.splitIntoRecords() ? " (split into records)" : "");
    } else if (log.isDebugEnabled()) {
      log.debug("[{}] batch of {}: {} processed", scope, r.records(), r.processed());
    }
  }

  /**
   * How the engine names a record in messages and logs.
   *
   * @param record the record
   * @return {@code topic-partition@offset}
   */
  public static String where(ConsumerRecord<?, ?> record) {
    return RecordLog.where(record);
  }
}
