package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DuplicateCause;
import io.github.kafkadedup.migrations.DedupKeys;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/** A record with its dedup key and the key's stored id ({@link DedupKeys#id}). */
public record Candidate<K, V>(ConsumerRecord<K, V> record, String key, UUID id) {

  /** A candidate whose id is derived from {@code key}. */
  public Candidate(ConsumerRecord<K, V> record, String key) {
    this(record, key, DedupKeys.id(key));
  }

  /** Whether a stored claim was made by this very record (same partition and offset). */
  public boolean isSameRecordAs(StoredClaim claim) {
    return claim.partition() == record.partition() && claim.offset() == record.offset();
  }

  /**
   * Why this record is a duplicate of the key's {@code first} claim: a redelivery of the very record that
   * made it, otherwise a re-send (also when {@code first} is null: a repeat inside the batch).
   */
  public DuplicateCause duplicateCause(@Nullable StoredClaim first) {
    return first != null && isSameRecordAs(first) ? DuplicateCause.REDELIVERY : DuplicateCause.RESEND;
  }
}
