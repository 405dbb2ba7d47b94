package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Record {@code @KafkaListener} methods with one database transaction per poll (the default
 * {@code dedup.listener.transaction-per=poll}), through Spring Boot, a real broker and PostgreSQL.
 */
class PollListenerIT {

  @Test
  void theRecordsOfAPollShareOneTransactionAndAPoisonRecordIsIsolated() {
    try (SpringFixture f = new SpringFixture("spring-poll")) {
      List<String[]> input = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        input.add(new String[] {"k" + i, (i == 120 ? "poison-" : "ok-") + i});
      }
      f.sendAll(input);
      ConfigurableApplicationContext app = f.start(PollApp.class);

      List<ConsumerRecord<String, String>> dlt = f.deadLetters(1);
      await().atMost(Duration.ofSeconds(90)).until(() -> f.committed() == 200);

      assertThat(dlt).extracting(ConsumerRecord::value).containsExactly("poison-120");
      assertThat(DltErrorHandling.exceptionMessage(dlt.getFirst())).contains("poison-120 is poison");
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(199);
      assertThat(f.count("SELECT count(DISTINCT order_key) FROM orders")).isEqualTo(199);
      // far fewer transactions than records: the records of a poll commit together
      assertThat(f.count("SELECT count(DISTINCT payload) FROM orders")).isLessThan(40);
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'P'")).isEqualTo(199);
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'D'")).isEqualTo(1);
      assertThat(app.getBean(TxListener.class).consumerSeen.get()).isTrue();
    }
  }

  @Test
  void aReplayOfADeadLetteredKeyGoesToTheRecovererAgainByDefault() {
    try (SpringFixture f = new SpringFixture("spring-dl-replay")) {
      f.send("k1", "poison-1");
      f.send("k2", "ok-2");
      f.start(PollApp.class);
      assertThat(f.deadLetters(1)).extracting(ConsumerRecord::value).containsExactly("poison-1");
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 2);

      f.send("k1", "fixed-1"); // the same message again, now processable: the engine's rule sends it on
      f.send("k3", "ok-3");
      List<ConsumerRecord<String, String>> dlt = f.deadLetters(2);
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 4);

      assertThat(dlt).extracting(ConsumerRecord::value).containsExactly("poison-1", "fixed-1");
      assertThat(DltErrorHandling.exceptionMessage(dlt.get(1))).contains("dead-lettered before");
      assertThat(f.count("SELECT count(*) FROM orders WHERE order_key = 'k1'")).isZero();
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(2);
      assertThat(f.count("SELECT kafka_offset FROM claims WHERE key_id = dedup_key_id('k1') AND status = 'D'"))
          .isEqualTo(2); // the D claim moved to the replay, as in the engine
    }
  }

  @Test
  void withDeadLetteredReplayReprocessTheReplayIsApplied() {
    try (SpringFixture f = new SpringFixture("spring-dl-reprocess")) {
      f.send("k1", "poison-1");
      f.start(PollApp.class, "dedup.dead-lettered-replay=reprocess");
      assertThat(f.deadLetters(1)).hasSize(1);
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 1);

      f.send("k1", "fixed-1");
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 2);
      assertThat(f.count("SELECT count(*) FROM orders WHERE order_key = 'k1'")).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM claims WHERE key_id = dedup_key_id('k1') AND status = 'P'"))
          .isEqualTo(1);
    }
  }

  @Test
  void aNackRollsBackItsRecordCommitsTheOnesBeforeAndRedeliversTheRest() {
    try (SpringFixture f = new SpringFixture("spring-poll-nack")) {
      for (int i = 0; i < 6; i++) {
        f.send("k" + i, (i == 3 ? "nack-" : "ok-") + i);
      }
      ConfigurableApplicationContext app = f.start(NackApp.class, "spring.kafka.listener.ack-mode=manual");
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 6);
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(6);
      assertThat(f.count("SELECT count(DISTINCT order_key) FROM orders")).isEqualTo(6);
      assertThat(app.getBean(NackListener.class).nacks.get()).isEqualTo(1);
    }
  }

  @Test
  void aTransactionalServiceMethodJoinsThePollsTransaction() {
    try (SpringFixture f = new SpringFixture("spring-poll-service")) {
      f.send("k1", "ok-1");
      f.send("k2", "poison-2");
      f.send("k3", "ok-3");
      f.start(ServiceApp.class);
      assertThat(f.deadLetters(1)).extracting(ConsumerRecord::value).containsExactly("poison-2");
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 3);
      // MANDATORY: the service found the poll's transaction; the poison record's write rolled back with it
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(2);
      assertThat(f.count("SELECT count(*) FROM orders WHERE order_key = 'k2'")).isZero();
    }
  }

  @Test
  void ackModeRecordStopsTheStartWithTheFixAndPerRecordTransactionsStayAvailable() {
    try (SpringFixture f = new SpringFixture("spring-poll-ackrecord")) {
      assertThatThrownBy(() -> f.start(PollApp.class, "spring.kafka.listener.ack-mode=record"))
          .hasStackTraceContaining("AckMode.RECORD")
          .hasStackTraceContaining("dedup.listener.transaction-per=record");

      f.send("k1", "ok-1");
      f.send("k1", "ok-1-again");
      f.send("k2", "ok-2");
      f.start(PollApp.class, "spring.kafka.listener.ack-mode=record", "dedup.listener.transaction-per=record");
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 3);
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(2);
      assertThat(f.count("SELECT count(DISTINCT payload) FROM orders")).isEqualTo(2); // two transactions
    }
  }

  static String key(ConsumerRecord<?, ?> record) {
    Header h = record.headers().lastHeader("idempotency-key");
    return h == null ? "none" : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** A record listener (consumer aware) writing its transaction id; "poison" values fail. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(DltErrorHandling.class)
  static class PollApp {
    @Bean
    TxListener txListener(JdbcTemplate jdbc) {
      return new TxListener(jdbc);
    }
  }

  /** Writes {@code txid_current()} as the payload, so a test counts the transactions. */
  static class TxListener {
    final java.util.concurrent.atomic.AtomicBoolean consumerSeen = new java.util.concurrent.atomic.AtomicBoolean();
    private final JdbcTemplate jdbc;

    TxListener(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onOrder(ConsumerRecord<String, String> record, Consumer<?, ?> consumer) {
      consumerSeen.set(consumer != null);
      jdbc.update("INSERT INTO orders (order_key, payload, kafka_offset) VALUES (?, txid_current()::text, ?)",
          key(record), record.offset());
      if (record.value().startsWith("poison")) {
        throw new IllegalStateException(record.value() + " is poison");
      }
    }
  }

  /** A listener acknowledging manually; "nack" values are nacked on their first delivery. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class NackApp {
    @Bean
    NackListener nackListener(JdbcTemplate jdbc) {
      return new NackListener(jdbc);
    }
  }

  /** Writes a row, then acknowledges or (once) nacks. */
  static class NackListener {
    final AtomicInteger nacks = new AtomicInteger();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final JdbcTemplate jdbc;

    NackListener(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onOrder(ConsumerRecord<String, String> record, Acknowledgment ack) {
      jdbc.update("INSERT INTO orders (order_key, payload, kafka_offset) VALUES (?, ?, ?)", key(record),
          record.value(), record.offset());
      if (record.value().startsWith("nack")
          && attempts.computeIfAbsent(record.value(), v -> new AtomicInteger()).incrementAndGet() == 1) {
        nacks.incrementAndGet();
        ack.nack(Duration.ofMillis(100));
        return;
      }
      ack.acknowledge();
    }
  }

  /** A listener calling a {@code @Transactional(MANDATORY)} service. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({DltErrorHandling.class, OrderService.class})
  static class ServiceApp {
    @Bean
    ServiceListener serviceListener(OrderService service) {
      return new ServiceListener(service);
    }
  }

  /** Hands each record to the service. */
  static class ServiceListener {
    private final OrderService service;

    ServiceListener(OrderService service) {
      this.service = service;
    }

    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onOrder(ConsumerRecord<String, String> record) {
      service.save(record);
    }
  }

  /** Fails unless called inside a transaction; "poison" values fail after the write. */
  @Service
  static class OrderService {
    private final JdbcTemplate jdbc;

    OrderService(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void save(ConsumerRecord<String, String> record) {
      jdbc.update("INSERT INTO orders (order_key, payload, kafka_offset) VALUES (?, ?, ?)", key(record),
          record.value(), record.offset());
      if (record.value().startsWith("poison")) {
        throw new IllegalStateException(record.value() + " is poison");
      }
    }
  }
}
