package io.github.kafkadedup.consumer.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Work that joins every dedup transaction (e.g. storing offsets): {@link #unapplied} first, then the
 * claims and the handler, then {@link #beforeCommit}, then the commit and {@link #committed}.
 */
public interface TransactionHook {
  /**
   * Called first in every transaction (every attempt): the records the transaction still has to apply,
   * i.e. without those a committed transaction already applied. Only these reach the handler and
   * {@link #beforeCommit}. By default all of them.
   *
   * @throws SQLException to fail the attempt (retried if transient)
   */
  default <R extends ConsumerRecord<?, ?>> List<R> unapplied(Connection connection, List<R> records)
      throws SQLException {
    return records;
  }

  /**
   * Called inside the transaction after the handler ran, with every record the transaction applies.
   *
   * @throws SQLException to roll the transaction back
   */
  void beforeCommit(Connection connection, List<? extends ConsumerRecord<?, ?>> records) throws SQLException;

  /** Called once the commit of a transaction that applied {@code records} is confirmed. */
  default void committed(List<? extends ConsumerRecord<?, ?>> records) {}

  /** {@code first}, then {@code second}, for every step. */
  static TransactionHook both(TransactionHook first, TransactionHook second) {
    return new TransactionHook() {
      @Override
      public <R extends ConsumerRecord<?, ?>> List<R> unapplied(Connection c, List<R> records)
          throws SQLException {
        return second.unapplied(c, first.unapplied(c, records));
      }

      @Override
      public void beforeCommit(Connection c, List<? extends ConsumerRecord<?, ?>> records) throws SQLException {
        first.beforeCommit(c, records);
        second.beforeCommit(c, records);
      }

      @Override
      public void committed(List<? extends ConsumerRecord<?, ?>> records) {
        first.committed(records);
        second.committed(records);
      }
    };
  }
}
