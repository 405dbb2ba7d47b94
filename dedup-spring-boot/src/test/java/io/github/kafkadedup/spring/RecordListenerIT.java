package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;

/** A record {@code @KafkaListener} writing with JdbcTemplate, through Spring Boot, a real broker and PostgreSQL. */
class RecordListenerIT {

  @Test
  void resendsOfOneKeyReachTheMethodOnce() {
    try (SpringFixture f = new SpringFixture("spring-resends")) {
      f.send("k1", "a-1");
      f.send("k1", "a-2");
      f.send("k1", "a-3");
      f.send("k2", "b");
      f.send("k3", "c");
      ConfigurableApplicationContext app = f.start(RecordApp.class);

      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 5);
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(3);
      assertThat(f.count("SELECT count(*) FROM orders WHERE order_key = 'k1'")).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'P'")).isEqualTo(3);
      assertThat(duplicates(app, "resend")).isEqualTo(2);
      assertThat(app.getBean(MeterRegistry.class).get("kafka.dedup.records.processed").counter().count())
          .isEqualTo(3);
    }
  }

  @Test
  void redeliveryAfterARestartWithoutCommittedOffsetsHasNoEffect() {
    try (SpringFixture f = new SpringFixture("spring-redelivery")) {
      f.send("k1", "a");
      f.send("k2", "b");
      f.send("k3", "c");
      ConfigurableApplicationContext first = f.start(RecordApp.class);
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 3);
      first.close();

      f.rewind(); // as after a crash between the database commit and the offset commit
      ConfigurableApplicationContext second = f.start(RecordApp.class);
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 3);

      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(3);
      assertThat(second.getBean(OrderListener.class).calls.get()).isZero();
      assertThat(duplicates(second, "redelivery")).isEqualTo(3);
    }
  }

  @Test
  void poisonRecordGoesToTheDeadLetterTopicLeavingADeadLetteredClaimAndTransientFailuresAreRetried() {
    try (SpringFixture f = new SpringFixture("spring-poison")) {
      f.send("k1", "ok-1");
      f.send("k2", "poison-2");
      f.send("k3", "flaky-3");
      f.send("k4", "ok-4");
      ConfigurableApplicationContext app = f.start(RecordApp.class);

      List<ConsumerRecord<String, String>> dlt = f.deadLetters(1);
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 4);

      assertThat(dlt).extracting(ConsumerRecord::value).containsExactly("poison-2");
      assertThat(DltErrorHandling.exceptionMessage(dlt.getFirst())).contains("poison-2 is poison");
      // the poison record's write and claim rolled back together; it was not retried (not transient); once the
      // recoverer took it, its key was stored dead-lettered (D), as in the engine
      assertThat(f.count("SELECT count(*) FROM orders WHERE order_key = 'k2'")).isZero();
      assertThat(f.count("SELECT count(*) FROM claims WHERE key_id = dedup_key_id('k2') AND status = 'D'"))
          .isEqualTo(1);
      assertThat(app.getBean(OrderListener.class).attempts.get("poison-2").get()).isEqualTo(1);
      // the transient failure rolled back the first attempt's row and claim; the retry applied it once
      assertThat(f.count("SELECT count(*) FROM orders WHERE order_key = 'k3'")).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM orders WHERE payload = 'flaky-3#2'")).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM orders WHERE order_key IN ('k1', 'k4')")).isEqualTo(2);
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'P'")).isEqualTo(3);
      assertThat(app.getBean(MeterRegistry.class).get("kafka.dedup.dead.lettered").counters()).isNotEmpty();
    }
  }

  @Test
  void observeModeClaimsAndCountsDuplicatesButStillCallsTheMethod() {
    try (SpringFixture f = new SpringFixture("spring-observe")) {
      f.send("k1", "a-1");
      f.send("k1", "a-2");
      ConfigurableApplicationContext app = f.start(RecordApp.class, "dedup.mode=observe");
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 2);
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(2);
      assertThat(f.count("SELECT count(*) FROM claims")).isEqualTo(1);
      assertThat(duplicates(app, "resend")).isEqualTo(1);
    }
  }

  @Test
  void withRetryOnlyTransientOffTheErrorHandlersBackOffRetriesEveryFailure() {
    try (SpringFixture f = new SpringFixture("spring-retry-all")) {
      f.send("k1", "poison-1");
      ConfigurableApplicationContext app = f.start(RecordApp.class, "dedup.retry-only-transient=false");
      assertThat(f.deadLetters(1)).extracting(ConsumerRecord::value).containsExactly("poison-1");
      assertThat(app.getBean(OrderListener.class).attempts.get("poison-1").get()).isEqualTo(5); // 1 + 4 retries
      await().atMost(Duration.ofSeconds(30)).until(() -> f.count("SELECT count(*) FROM claims WHERE status = 'D'") == 1);
      assertThat(f.count("SELECT count(*) FROM claims")).isEqualTo(1);
    }
  }

  @Test
  void manualImmediateAcksCommitTheOffsetsAndDuplicatesAreAcknowledgedForTheListener() {
    try (SpringFixture f = new SpringFixture("spring-manual-ack")) {
      f.send("k1", "a");
      f.send("k1", "a-again");
      f.send("k2", "b");
      f.send("k2", "b-again");
      ConfigurableApplicationContext app = f.start(ManualAckApp.class,
          "spring.kafka.listener.ack-mode=manual_immediate");
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 4);
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(2);
      assertThat(app.getBean(AcknowledgingListener.class).acknowledged.get()).isEqualTo(2);
    }
  }

  private static double duplicates(ConfigurableApplicationContext app, String cause) {
    var counter = app.getBean(MeterRegistry.class).find("kafka.dedup.duplicates").tag("cause", cause).counter();
    return counter == null ? 0 : counter.count();
  }

  /** The service under test: Boot auto-configuration, a DefaultErrorHandler with DLT, one listener. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(DltErrorHandling.class)
  static class RecordApp {

    @Bean
    OrderListener orderListener(JdbcTemplate jdbc) {
      return new OrderListener(jdbc);
    }
  }

  /** A record listener that acknowledges manually. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class ManualAckApp {
    @Bean
    AcknowledgingListener acknowledgingListener(JdbcTemplate jdbc) {
      return new AcknowledgingListener(jdbc);
    }
  }

  /** Writes a row and acknowledges; the offset commits only after the transaction. */
  static class AcknowledgingListener {
    final AtomicInteger acknowledged = new AtomicInteger();
    private final JdbcTemplate jdbc;

    AcknowledgingListener(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onOrder(ConsumerRecord<String, String> record, Acknowledgment ack) {
      jdbc.update("INSERT INTO orders (order_key, payload, kafka_offset) VALUES (?, ?, ?)", record.key(),
          record.value(), record.offset());
      ack.acknowledge();
      acknowledged.incrementAndGet();
    }
  }

  /** Writes one order row per record; "poison" values fail, "flaky" values fail transiently once. */
  static class OrderListener {
    final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    final AtomicInteger calls = new AtomicInteger();
    private final JdbcTemplate jdbc;

    OrderListener(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onOrder(ConsumerRecord<String, String> record) {
      calls.incrementAndGet();
      int attempt = attempts.computeIfAbsent(record.value(), v -> new AtomicInteger()).incrementAndGet();
      Header key = record.headers().lastHeader("idempotency-key");
      jdbc.update("INSERT INTO orders (order_key, payload, kafka_offset) VALUES (?, ?, ?)",
          new String(key.value(), StandardCharsets.UTF_8), record.value() + "#" + attempt, record.offset());
      if (record.value().startsWith("poison")) {
        throw new IllegalStateException(record.value() + " is poison");
      }
      if (record.value().startsWith("flaky") && attempt == 1) {
        throw new CannotAcquireLockException("simulated lock timeout");
      }
    }
  }
}
