package io.github.kafkadedup.examples.outbox;

import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.spring.TransactionalOutbox;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.transaction.annotation.Transactional;

/**
 * The Spring version: an {@link Outbox} bean configures the serializers once; Spring Boot then provides a
 * {@link TransactionalOutbox} that writes in the current transaction, and runs the relay with
 * {@code dedup.outbox.relay.enabled=true}. Import it into a Spring Boot application with
 * {@code dedup-spring-boot} on the class path. The README's "Outbox" section shows this code.
 */
@Configuration(proxyBeanMethods = false)
public class SpringPaymentRequests {

  /** Created by Spring. */
  public SpringPaymentRequests() {}

  /** @return the outbox's serializers and schema */
  @Bean
  Outbox<String, String> outbox() {
    return Outbox.builder(new StringSerializer(), new StringSerializer()).build();
  }

  @Bean
  OrderListener orderListener(JdbcTemplate jdbc, TransactionalOutbox<String, String> outbox) {
    return new OrderListener(jdbc, outbox);
  }

  @Bean
  Refunds refunds(TransactionalOutbox<String, String> outbox) {
    return new Refunds(outbox);
  }

  /** A kafka-dedup listener: the order row, the key claim and the payment request commit together. */
  static class OrderListener {
    private final JdbcTemplate jdbc;
    private final TransactionalOutbox<String, String> outbox;

    OrderListener(JdbcTemplate jdbc, TransactionalOutbox<String, String> outbox) {
      this.jdbc = jdbc;
      this.outbox = outbox;
    }

    @KafkaListener(topics = "orders")
    void onOrder(ConsumerRecord<String, String> record) {
      jdbc.update("INSERT INTO orders (id, body) VALUES (?, ?)", record.key(), record.value());
      outbox.send("payments", record.key(), "{\"order\":\"" + record.key() + "\"}");
    }
  }

  /** Any {@code @Transactional} method may send too (the idempotency key is then a new UUIDv7). */
  static class Refunds {
    private final TransactionalOutbox<String, String> outbox;

    Refunds(TransactionalOutbox<String, String> outbox) {
      this.outbox = outbox;
    }

    @Transactional
    public void refund(String orderId) {
      outbox.send("refunds", orderId, "{\"order\":\"" + orderId + "\"}");
    }
  }
}
