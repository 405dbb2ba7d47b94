package io.github.kafkadedup.consumer.internal;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A record with its dedup key. */
public record Candidate<K, V>(ConsumerRecord<K, V> record, String key) {

  /** Whether a stored claim was made by this very record (same topic, partition and offset). */
  public boolean isSameRecordAs(StoredClaim claim) {
    return claim.topic().equals(record.topic()) && claim.partition() == record.partition()
        && claim.offset() == record.offset();
  }
}
