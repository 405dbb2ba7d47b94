package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
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
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.transaction.annotation.Transactional;

/**
 * A batch {@code @KafkaListener} ({@code List<ConsumerRecord>}, {@code @Transactional}, manual immediate acks)
 * writing with JdbcTemplate, through Spring Boot, a real broker and PostgreSQL.
 */
class BatchListenerIT {
  private static final String[] BATCH = {"spring.kafka.listener.type=batch",
      "spring.kafka.listener.ack-mode=manual_immediate"};

  @Test
  void duplicatesInsideAndAcrossBatchesReachTheMethodOnce() {
    try (SpringFixture f = new SpringFixture("spring-batch-dups")) {
      f.send("k1", "a");
      f.send("k1", "a-again");
      f.send("k2", "b");
      f.send("k3", "c");
      f.send("k2", "b-again");
      ConfigurableApplicationContext app = f.start(BatchApp.class, BATCH);
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 5);
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(3);

      f.send("k3", "c-again");
      f.send("k4", "d");
      f.send("k4", "d-again");
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 8);

      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(4);
      assertThat(f.count("SELECT count(DISTINCT order_key) FROM orders")).isEqualTo(4);
      List<List<String>> batches = app.getBean(BatchListener.class).batches();
      assertThat(batches).allSatisfy(keys -> assertThat(Set.copyOf(keys)).hasSameSizeAs(keys));
      assertThat(app.getBean(MeterRegistry.class).get("kafka.dedup.duplicates").tag("cause", "resend")
          .counter().count()).isEqualTo(4);
    }
  }

  @Test
  void poisonRecordsOfABatchGoToTheDeadLetterTopicAndTheOthersApplyOnce() {
    try (SpringFixture f = new SpringFixture("spring-batch-poison")) {
      f.send("k1", "ok-1");
      f.send("k2", "poison-2");
      f.send("k3", "ok-3");
      f.send("k1", "ok-1-again");
      f.send("k4", "named-4");
      f.send(null, "nokey-5");
      f.send("k6", "ok-6");
      ConfigurableApplicationContext app = f.start(BatchApp.class, BATCH);

      List<ConsumerRecord<String, String>> dlt = f.deadLetters(3);
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 7);

      assertThat(dlt).extracting(ConsumerRecord::value).containsExactly("poison-2", "named-4", "nokey-5");
      assertThat(DltErrorHandling.exceptionMessage(dlt.get(2))).contains("no dedup key found by header(idempotency-key)");
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(3);
      assertThat(f.count("SELECT count(DISTINCT order_key) FROM orders WHERE order_key IN ('k1', 'k3', 'k6')"))
          .isEqualTo(3);
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'P'")).isEqualTo(3);
      // as in the engine, a dead-lettered key is stored D (the record without a key leaves nothing)
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'D' AND key_id IN (dedup_key_id('k2'), "
          + "dedup_key_id('k4'))")).isEqualTo(2);
      assertThat(f.count("SELECT count(*) FROM claims")).isEqualTo(5);
      assertThat(app.getBean(MeterRegistry.class).get("kafka.dedup.records.processed").counter().count())
          .isEqualTo(3);
    }
  }

  /** The service under test: a batch listener, a DefaultErrorHandler with DLT. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(DltErrorHandling.class)
  static class BatchApp {

    @Bean
    BatchListener batchListener(JdbcTemplate jdbc) {
      return new BatchListener(jdbc);
    }
  }

  /** Writes one row per record; "poison" fails with a plain exception, "named" with one naming its index. */
  static class BatchListener {
    final List<List<String>> batches = new CopyOnWriteArrayList<>();
    private final JdbcTemplate jdbc;

    BatchListener(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    /** The keys of each list the method received (through the transactional proxy). */
    public List<List<String>> batches() {
      return batches;
    }

    @Transactional
    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onOrders(List<ConsumerRecord<String, String>> records, Acknowledgment ack) {
      batches.add(records.stream().map(BatchListener::key).collect(Collectors.toList()));
      for (int i = 0; i < records.size(); i++) {
        ConsumerRecord<String, String> record = records.get(i);
        jdbc.update("INSERT INTO orders (order_key, payload, kafka_offset) VALUES (?, ?, ?)", key(record),
            record.value(), record.offset());
        if (record.value().startsWith("poison")) {
          throw new IllegalStateException(record.value() + " is poison");
        }
        if (record.value().startsWith("named")) {
          throw new BatchListenerFailedException(record.value() + " failed", i); // index in this list
        }
      }
      ack.acknowledge();
    }

    private static String key(ConsumerRecord<String, String> record) {
      Header h = record.headers().lastHeader("idempotency-key");
      return h == null ? "none" : new String(h.value(), StandardCharsets.UTF_8);
    }
  }
}
