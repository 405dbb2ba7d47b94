package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DuplicateCause;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/** A record with its dedup key. */
public record Candidate<K, V>(ConsumerRecord<K, V> record, String key) {

  /** Whether a stored claim was made by this very record (same topic, partition and offset). */
  public boolean isSameRecordAs(StoredClaim claim) {
    return claim.topic().equals(record.topic()) && claim.partition() == record.partition()
        && claim.offset() == record.offset();
  }

  /**
   * Why this record is a duplicate of the key's {@code first} claim: a redelivery of the very record that
   * made it, otherwise a re-send (also when {@code first} is null: a repeat inside the batch).
   */
  public DuplicateCause duplicateCause(@Nullable StoredClaim first) {
    return first != null && isSameRecordAs(first) ? DuplicateCause.REDELIVERY : DuplicateCause.RESEND;
  }
}
