package io.github.kafkadedup.consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Applies one fresh (never seen) record inside the dedup transaction. Called in offset order; a thrown
 * exception rolls back the transaction, claims included.
 *
 * @param <K> record key type
 * @param <V> record value type
 */
@FunctionalInterface
public interface RecordHandler<K, V> {
  /**
   * Applies {@code record}; write through {@code tx}.
   *
   * @param record a record whose key was claimed in this transaction
   * @param tx the transaction
   * @throws Exception to roll back; transient SQL errors are retried, others isolate the poison record
   */
  void handle(ConsumerRecord<K, V> record, DedupContext tx) throws Exception;
}
