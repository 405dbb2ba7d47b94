package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DuplicateCause;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/** How the engine and the Spring adapters name records and report duplicates in logs. */
public final class RecordLog {
  private RecordLog() {}

  /** {@code topic-partition@offset}. */
  public static String where(ConsumerRecord<?, ?> record) {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }

  /** Logs one duplicate at debug level; {@code first} is null for a repeat inside the batch. */
  public static void duplicate(Logger log, String scope, DuplicateCause cause, ConsumerRecord<?, ?> record,
      @Nullable StoredClaim first) {
    if (log.isDebugEnabled()) {
      log.debug("[{}] duplicate ({}) {}{}", scope, cause, where(record), first == null
          ? " (first occurrence in this batch)"
          : " first claimed at partition " + first.partition() + " offset " + first.offset());
    }
  }
}
