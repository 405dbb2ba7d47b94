package io.github.kafkadedup.consumer;

import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What one poll batch came to, after its database transaction(s) committed.
 *
 * @param records records in the batch
 * @param processed records applied by the handler
 * @param redeliveries duplicates that were the same record again
 * @param resends duplicates that were the same key at another offset (including repeats in the batch)
 * @param deadLettered records handed to the recoverer
 * @param splitIntoRecords whether the batch failed as a whole and was processed record by record
 * @param offsets the offsets to commit to Kafka now: every record of the batch is accounted for
 */
public record BatchResult(int records, int processed, int redeliveries, int resends, int deadLettered,
    boolean splitIntoRecords, Map<TopicPartition, OffsetAndMetadata> offsets) {

  /** The result of an empty batch. */
  public static final BatchResult EMPTY = new BatchResult(0, 0, 0, 0, 0, false, Map.of());

  /** Copies {@code offsets}. */
  public BatchResult {
    offsets = Map.copyOf(offsets);
  }

  /** @return redeliveries plus re-sends */
  public int duplicates() {
    return redeliveries + resends;
  }
}
