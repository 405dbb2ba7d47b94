package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

/** A listener writing with Boot's jOOQ {@code DSLContext}: its writes share the claim's transaction. */
class JooqListenerIT {

  @Test
  void jooqWritesCommitAndRollBackWithTheClaim() {
    try (SpringFixture f = new SpringFixture("spring-jooq")) {
      f.send("k1", "a");
      f.send("k1", "a-again");
      f.send("k2", "poison-b");
      f.send("k3", "c");
      f.start(JooqApp.class);

      List<ConsumerRecord<String, String>> dlt = f.deadLetters(1);
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 4);

      assertThat(dlt).extracting(ConsumerRecord::value).containsExactly("poison-b");
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(2);
      assertThat(f.count("SELECT count(*) FROM orders WHERE order_key = 'k2'")).isZero();
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'P'")).isEqualTo(2);
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'D' AND key_id = dedup_key_id('k2')"))
          .isEqualTo(1); // the recoverer took it: dead-lettered, as in the engine
    }
  }

  /** The service: Boot's jOOQ auto-configuration, one listener. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class JooqApp {

    @Bean
    JooqListener jooqListener(DSLContext dsl) {
      return new JooqListener(dsl);
    }

    @Bean
    DefaultErrorHandler errorHandler(KafkaTemplate<?, ?> template) {
      return new DefaultErrorHandler(new DeadLetterPublishingRecoverer(template), new FixedBackOff(50, 2));
    }
  }

  /** Inserts one row per record with jOOQ; "poison" values fail after the insert. */
  static class JooqListener {
    private final DSLContext dsl;

    JooqListener(DSLContext dsl) {
      this.dsl = dsl;
    }

    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onOrder(ConsumerRecord<String, String> record) {
      String key = new String(record.headers().lastHeader("idempotency-key").value(), StandardCharsets.UTF_8);
      dsl.insertInto(table("orders"), field("order_key"), field("payload"), field("kafka_offset"))
          .values(key, record.value(), record.offset()).execute();
      if (record.value().startsWith("poison")) {
        throw new IllegalStateException(record.value() + " is poison");
      }
    }
  }
}
