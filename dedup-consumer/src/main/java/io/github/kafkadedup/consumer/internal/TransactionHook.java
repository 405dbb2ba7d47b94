package io.github.kafkadedup.consumer.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Work that joins every dedup transaction just before it commits (e.g. storing offsets). */
public interface TransactionHook {
  /**
   * Called inside the transaction after the handler ran, with every record the transaction covers.
   *
   * @throws SQLException to roll the transaction back
   */
  void beforeCommit(Connection connection, List<? extends ConsumerRecord<?, ?>> records) throws SQLException;
}
