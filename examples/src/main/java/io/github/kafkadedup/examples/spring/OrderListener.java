package io.github.kafkadedup.examples.spring;

import io.github.kafkadedup.examples.plain.OrderPlaced;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * The order listener. Nothing here refers to kafka-dedup: the method runs inside the transaction that
 * claimed the record's key, so both {@code JdbcTemplate} writes commit or roll back with the claim, and a
 * re-sent or redelivered order never gets here.
 */
@Component
class OrderListener {
  private static final Logger log = LoggerFactory.getLogger(OrderListener.class);

  private final JdbcTemplate jdbc;

  OrderListener(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  @KafkaListener(topics = "${orders.topic}")
  void onOrder(ConsumerRecord<String, String> record) {
    OrderPlaced order = OrderPlaced.parse(record.value()); // malformed: throws, the error handler dead-letters it
    jdbc.update("INSERT INTO orders (order_id, customer_id, amount_cents) VALUES (?, ?, ?)",
        order.orderId(), order.customerId(), order.amountCents());
    jdbc.update("""
        INSERT INTO customer_totals (customer_id, total_cents) VALUES (?, ?)
        ON CONFLICT (customer_id) DO UPDATE SET total_cents = customer_totals.total_cents + EXCLUDED.total_cents""",
        order.customerId(), order.amountCents());
    log.debug("order {} applied for customer {}", order.orderId(), order.customerId());
  }
}
