package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.internal.OutboxWrites;
import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.producer.IdempotencyKeys;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Sends Kafka records through the outbox in the current Spring transaction: the row is written on the
 * transaction's connection ({@link DataSourceUtils}), so it commits or rolls back with the caller's other
 * writes and is published by an {@link io.github.kafkadedup.outbox.OutboxRelay} only after the commit.
 * Usable from a kafka-dedup {@code @KafkaListener} (the idempotency key is derived from the consumed
 * record's dedup key and the send's position) and from any {@code @Transactional} method (a new UUIDv7).
 * Spring Boot registers one when the context has an {@link Outbox} bean.
 *
 * @param <K> the outgoing record key type
 * @param <V> the outgoing record value type
 */
public final class TransactionalOutbox<K, V> {
  private final DataSource dataSource;
  private final OutboxWrites<K, V> outbox;

  /**
   * @param dataSource the data source of the Spring transactions (the one the transaction manager uses)
   * @param outbox the outbox, built with {@link Outbox#builder}
   * @throws IllegalArgumentException if {@code outbox} was not built by {@link Outbox#builder}
   */
  public TransactionalOutbox(DataSource dataSource, Outbox<K, V> outbox) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.outbox = OutboxWrites.of(outbox);
  }

  /**
   * Writes one record to the outbox in the current transaction.
   *
   * @param topic the topic to publish to
   * @param key the record key, or null
   * @param value the record value, or null
   * @param headers more headers (may be empty)
   * @throws IllegalStateException if no Spring transaction is active (the record would not be atomic with
   *     anything)
   * @throws DataAccessResourceFailureException if the insert fails
   */
  public void send(String topic, @Nullable K key, @Nullable V value, Iterable<? extends Header> headers) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalStateException("TransactionalOutbox.send needs an active Spring transaction "
          + "(@Transactional, a TransactionTemplate, or a kafka-dedup listener): without one the record would "
          + "be published even if the caller's writes rolled back");
    }
    UUID derived = OutboxOrigin.nextKey();
    Connection c = DataSourceUtils.getConnection(dataSource);
    try {
      outbox.write(c, topic, key, value, headers, derived != null ? derived : IdempotencyKeys.newKey());
    } catch (SQLException e) {
      throw new DataAccessResourceFailureException("writing an outbox record for " + topic + " failed", e);
    } finally {
      DataSourceUtils.releaseConnection(c, dataSource);
    }
  }

  /**
   * {@link #send(String, Object, Object, Iterable)} without headers.
   *
   * @param topic the topic to publish to
   * @param key the record key, or null
   * @param value the record value, or null
   */
  public void send(String topic, @Nullable K key, @Nullable V value) {
    send(topic, key, value, List.of());
  }
}
