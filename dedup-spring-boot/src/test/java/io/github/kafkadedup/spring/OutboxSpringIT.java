package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.outbox.OutboxRelay;
import io.github.kafkadedup.consumer.internal.OutboxWrites;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.transaction.annotation.Transactional;

/** The outbox in Spring Boot: from a dedup {@code @KafkaListener} and from a {@code @Transactional} method. */
class OutboxSpringIT {

  @Test
  void listenerAndServiceSendsArePublishedAfterCommitAndRollbacksPublishNothing() {
    try (SpringFixture f = new SpringFixture("spring-outbox")) {
      String payments = f.kafka.createTopic("spring-payments", 1);
      f.send("order-1", "o1");
      f.send("order-2", "o2");
      f.send("order-1", "o1-resend");
      ConfigurableApplicationContext app = f.start(OutboxApp.class, "test.payments=" + payments,
          "dedup.outbox.relay.enabled=true");
      assertThat(app.getBean(OutboxRelay.class)).isNotNull();
      PaymentService service = app.getBean(PaymentService.class);
      service.pay(payments, "manual-1", false);
      assertThatThrownBy(() -> service.pay(payments, "manual-2", true)).hasMessageContaining("declined");
      assertThatThrownBy(() -> app.getBean(TransactionalOutbox.class).send(payments, "k", "v"))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("active Spring transaction");

      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 3);
      List<ConsumerRecord<String, String>> published = f.kafka.readAll(payments, 3);

      assertThat(published).extracting(ConsumerRecord::value)
          .containsExactlyInAnyOrder("paid o1", "paid o2", "manual-1");
      for (ConsumerRecord<String, String> r : published) {
        String key = new String(r.headers().lastHeader(Outbox.IDEMPOTENCY_KEY_HEADER).value(), StandardCharsets.US_ASCII);
        if (r.value().startsWith("paid ")) {
          String order = r.value().equals("paid o1") ? "order-1" : "order-2";
          assertThat(key).isEqualTo(OutboxWrites.derivedKey(f.group, order, 0).toString());
        } else {
          assertThat(UUID.fromString(key).version()).isEqualTo(7);
        }
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> f.count("SELECT count(*) FROM outbox") == 0);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class OutboxApp {
    @Bean
    Outbox<String, String> outbox() {
      return Outbox.builder(new StringSerializer(), new StringSerializer()).build();
    }

    @Bean
    PaymentListener paymentListener(JdbcTemplate jdbc, TransactionalOutbox<String, String> outbox) {
      return new PaymentListener(jdbc, outbox);
    }

    @Bean
    PaymentService paymentService(TransactionalOutbox<String, String> outbox) {
      return new PaymentService(outbox);
    }
  }

  /** Consumes orders (kafka-dedup), writes one row and requests a payment through the outbox. */
  static class PaymentListener {
    private final JdbcTemplate jdbc;
    private final TransactionalOutbox<String, String> outbox;
    @Value("${test.payments}")
    String payments;

    PaymentListener(JdbcTemplate jdbc, TransactionalOutbox<String, String> outbox) {
      this.jdbc = jdbc;
      this.outbox = outbox;
    }

    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onOrder(ConsumerRecord<String, String> record) {
      jdbc.update("INSERT INTO orders (order_key, payload, kafka_offset) VALUES (?, ?, ?)", record.key(),
          record.value(), record.offset());
      outbox.send(payments, record.key(), "paid " + record.value());
    }
  }

  /** Any transactional service method may send. */
  static class PaymentService {
    private final TransactionalOutbox<String, String> outbox;

    PaymentService(TransactionalOutbox<String, String> outbox) {
      this.outbox = outbox;
    }

    @Transactional
    public void pay(String topic, String id, boolean decline) {
      outbox.send(topic, id, id);
      if (decline) {
        throw new IllegalStateException(id + " declined");
      }
    }
  }
}
