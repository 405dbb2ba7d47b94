package io.github.kafkadedup.consumer;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Applies the fresh records of one poll batch inside the dedup transaction, e.g. with one multi-row
 * insert. Never called with an empty list. When the batch fails with a non-transient error, it is called
 * again with one record at a time to isolate the poison record.
 *
 * @param <K> record key type
 * @param <V> record value type
 */
@FunctionalInterface
public interface BatchHandler<K, V> {
  /**
   * Applies {@code records} (offset order per partition, never empty); write through {@code tx}.
   *
   * @param records records whose keys were claimed in this transaction
   * @param tx the transaction
   * @throws Exception to roll back; transient SQL errors are retried, others isolate the poison record
   */
  void handle(List<ConsumerRecord<K, V>> records, DedupContext tx) throws Exception;
}
