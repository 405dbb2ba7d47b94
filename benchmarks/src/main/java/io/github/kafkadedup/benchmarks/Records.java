package io.github.kafkadedup.benchmarks;

import io.github.kafkadedup.consumer.KeyStrategy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * Consumer records as a poll would return them: an order id as the record key, a small JSON value and
 * the dedup key in the {@value KeyStrategy#DEFAULT_HEADER} header.
 */
public final class Records {
  /** The topic name the records carry. */
  public static final String TOPIC = "bench-orders";
  /** Partitions the records are spread over. */
  public static final int PARTITIONS = 12;

  private long nextOffset;

  /**
   * One record per key, spread round-robin over {@value #PARTITIONS} partitions with increasing offsets.
   *
   * @param keys the dedup keys
   * @return the records
   */
  public List<ConsumerRecord<String, String>> batch(String[] keys) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>(keys.length);
    for (String key : keys) {
      records.add(record(key, nextOffset++));
    }
    return records;
  }

  /**
   * A record at {@code offset} (partition {@code offset % 12}).
   *
   * @param dedupKey the idempotency-key header
   * @param offset the offset
   * @return the record
   */
  public static ConsumerRecord<String, String> record(String dedupKey, long offset) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(KeyStrategy.DEFAULT_HEADER, dedupKey.getBytes(StandardCharsets.UTF_8));
    String orderId = "order-" + (offset % 100_000);
    return new ConsumerRecord<>(TOPIC, (int) (offset % PARTITIONS), offset, System.currentTimeMillis(),
        TimestampType.CREATE_TIME, orderId.length(), 64, orderId, value(orderId, offset), headers,
        Optional.empty());
  }

  /**
   * The value of a record: a small order event of about 90 bytes.
   *
   * @param orderId the order id
   * @param seq a sequence number
   * @return the JSON text
   */
  public static String value(String orderId, long seq) {
    return "{\"orderId\":\"" + orderId + "\",\"seq\":" + seq + ",\"amountCents\":" + (seq % 10_000)
        + ",\"currency\":\"EUR\",\"status\":\"PAID\"}";
  }
}
