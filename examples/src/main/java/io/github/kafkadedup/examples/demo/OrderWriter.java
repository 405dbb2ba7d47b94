package io.github.kafkadedup.examples.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The business write of one batch, with JDBC batches on the caller's connection (inside its transaction):
 * one {@code orders} row per order, and each account's balance increased by its orders' amounts.
 */
final class OrderWriter {
  private static final String INSERT_ORDER = "INSERT INTO orders "
      + "(order_id, account_id, amount_cents, kafka_partition, kafka_offset) VALUES (?, ?, ?, ?, ?)";
  private static final String ADD_TO_BALANCE = "INSERT INTO account_balances (account_id, balance_cents) "
      + "VALUES (?, ?) ON CONFLICT (account_id) "
      + "DO UPDATE SET balance_cents = account_balances.balance_cents + EXCLUDED.balance_cents";

  private OrderWriter() {}

  static void write(Connection connection, List<ConsumerRecord<String, String>> records) throws SQLException {
    Map<String, Long> perAccount = new TreeMap<>();
    try (PreparedStatement insert = connection.prepareStatement(INSERT_ORDER)) {
      for (ConsumerRecord<String, String> record : records) {
        Order order = Order.fromWire(record.value());
        insert.setString(1, order.orderId());
        insert.setString(2, order.accountId());
        insert.setLong(3, order.amountCents());
        insert.setInt(4, record.partition());
        insert.setLong(5, record.offset());
        insert.addBatch();
        perAccount.merge(order.accountId(), order.amountCents(), Long::sum);
      }
      insert.executeBatch();
    }
    // One update per account, in account order: consumers that update the same accounts concurrently then
    // lock the rows in the same order and never deadlock.
    try (PreparedStatement add = connection.prepareStatement(ADD_TO_BALANCE)) {
      for (Map.Entry<String, Long> e : perAccount.entrySet()) {
        add.setString(1, e.getKey());
        add.setLong(2, e.getValue());
        add.addBatch();
      }
      add.executeBatch();
    }
  }
}
