package io.github.kafkadedup.spring;
import io.github.kafkadedup.testsupport.LogCapture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.testsupport.PgFaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The connection of a listener's transaction is cut (a fault proxy between the Spring DataSource and
 * PostgreSQL, as a {@code pg_terminate_backend} or a network failure does) during the key claim, during the
 * listener's own write, or during the dead-letter write: Spring's rollback then fails on the broken
 * connection too ({@code TransactionSystemException} carrying the I/O error as its application exception).
 * Every such failure is transient: the user's BackOff retries it, every valid record is applied once and none
 * is dead-lettered; the poison record alone is, once.
 */
class BackendCutSpringIT {
  private static final Predicate<String> CLAIM = sql -> sql.contains("input AS (SELECT * FROM unnest(");
  private static final Predicate<String> LISTENER_WRITE = sql -> sql.startsWith("INSERT INTO orders");
  private static final Predicate<String> DEAD_LETTER_WRITE = sql -> sql.contains("dead_letters");

  @Test
  void recordListenerPerPoll() throws Exception {
    runCuts("spring-cut-poll", RecordTableApp.class);
  }

  @Test
  void recordListenerPerRecord() throws Exception {
    runCuts("spring-cut-per-record", RecordTableApp.class, "dedup.listener.transaction-per=record");
  }

  @Test
  void batchListener() throws Exception {
    runCuts("spring-cut-batch", BatchTableApp.class, "spring.kafka.listener.type=batch",
        "spring.kafka.listener.ack-mode=manual_immediate");
  }

  @Test
  void aTransientFailureOutlastingTheBackOffIsRetriedUntilCuredNeverDeadLettered() {
    try (SpringFixture f = new SpringFixture("spring-cut-stubborn")) {
      f.send("k0", "stubborn-0"); // fails transiently 8 times: the handler's BackOff gives up after 6
      f.send("k1", "ok-1");
      f.start(RecordTableApp.class);
      await().atMost(Duration.ofSeconds(120)).until(() -> f.committed() == 2);
      assertThat(f.count("SELECT count(*) FROM dead_letters")).isZero();
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'D'")).isZero();
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(2);
      assertThat(f.count("SELECT count(*) FROM orders WHERE payload = 'stubborn-0'")).isEqualTo(1);
    }
  }

  @Test
  void aPoisonRecordIsOneWarnLineAndSpringKafkaLogsNoErrorForIt() {
    try (SpringFixture f = new SpringFixture("spring-poison-log")) {
      f.start(RecordTableApp.class);
      try (LogCapture spring = new LogCapture("org.springframework.kafka");
          LogCapture ours = new LogCapture(DedupListeners.class.getName())) {
        f.send("k0", "ok-0");
        f.send("k1", "poison-1");
        f.send("k2", "ok-2");
        await().atMost(Duration.ofSeconds(120)).until(() -> f.committed() == 3);
        assertThat(f.count("SELECT count(*) FROM dead_letters")).isEqualTo(1);
        assertThat(spring.count("ERROR", "")).as("Spring Kafka's ERROR lines: %s", spring.lines).isZero();
        assertThat(ours.lines.stream().filter(l -> l.contains("-0@1")).toList())
            .as("kafka-dedup's lines naming the poison record").hasSize(1)
            .allMatch(l -> l.startsWith("WARN ") && l.contains("dead-lettered") && l.contains("poison-1 is poison"));
      }
    }
  }

  private static void runCuts(String name, Class<?> app, String... properties) throws Exception {
    try (SpringFixture f = new SpringFixture(name);
        PgFaultProxy proxy = PgFaultProxy.inFrontOf(f.db.jdbcUrl(), PgFaultProxy.Options.defaults())) {
      f.via(proxy);
      f.start(app, properties);
      int sent = 0;
      sent = round(f, proxy, CLAIM, sent, 4, -1);
      sent = round(f, proxy, LISTENER_WRITE, sent, 4, -1);
      sent = round(f, proxy, DEAD_LETTER_WRITE, sent, 4, 2); // cut while the poison record is dead-lettered

      assertThat(f.count("SELECT count(*) FROM orders")).as("one effect per valid record").isEqualTo(sent - 1);
      assertThat(f.count("SELECT count(DISTINCT order_key) FROM orders")).isEqualTo(sent - 1);
      assertThat(f.count("SELECT count(*) FROM orders WHERE payload LIKE 'poison%'")).isZero();
      assertThat(f.count("SELECT count(*) FROM dead_letters")).as("the poison record alone, once").isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM dead_letters WHERE convert_from(record_value, 'UTF8') LIKE "
          + "'poison%'")).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'D'")).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'P'")).isEqualTo(sent - 1);
    }
  }

  /**
   * Arms one cut after a statement {@code target} accepts, sends {@code count} records (the one at
   * {@code poisonAt} poison), waits until they are all consumed and the cut has happened.
   */
  private static int round(SpringFixture f, PgFaultProxy proxy, Predicate<String> target, int sent, int count,
      int poisonAt) {
    proxy.cutAfterReplyTo(target, 1);
    int cutsBefore = proxy.cuts();
    List<String[]> input = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = sent + i;
      input.add(new String[] {"k" + n, (i == poisonAt ? "poison-" : "ok-") + n});
    }
    f.sendAll(input);
    int total = sent + count;
    await().atMost(Duration.ofSeconds(120)).until(() -> f.committed() == total);
    assertThat(proxy.cuts()).as("the armed cut happened").isEqualTo(cutsBefore + 1);
    return total;
  }

  /** The error handler a user writes from docs/spring-boot.md: dead-letter table, exponential back-off. */
  static DefaultErrorHandler tableErrorHandler(DedupListeners dedup) {
    ExponentialBackOff backOff = new ExponentialBackOff(100, 2.0);
    backOff.setMaxAttempts(6);
    return new DefaultErrorHandler(DeadLetterTableRecoverer.of(dedup, new StringSerializer(),
        new StringSerializer(), r -> r.topic() + "-dlt"), backOff);
  }

  /** A record listener (poison values fail) with the dead-letter table. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class RecordTableApp {
    @Bean
    DefaultErrorHandler errorHandler(DedupListeners dedup) {
      return tableErrorHandler(dedup);
    }

    @Bean
    OrderListener orderListener(JdbcTemplate jdbc) {
      return new OrderListener(jdbc);
    }
  }

  /** Writes one row per record; "poison" values fail, "stubborn" ones fail transiently 8 times. */
  static class OrderListener {
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final JdbcTemplate jdbc;

    OrderListener(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onOrder(ConsumerRecord<String, String> record) {
      jdbc.update("INSERT INTO orders (order_key, payload, kafka_offset) VALUES (?, ?, ?)",
          PollListenerIT.key(record), record.value(), record.offset());
      if (record.value().startsWith("poison")) {
        throw new IllegalStateException(record.value() + " is poison");
      }
      int attempt = attempts.computeIfAbsent(record.value(), v -> new AtomicInteger()).incrementAndGet();
      if (record.value().startsWith("stubborn") && attempt <= 8) {
        throw new CannotAcquireLockException("simulated lock timeout, attempt " + attempt);
      }
    }
  }

  /** A batch listener (poison values fail) with the dead-letter table. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class BatchTableApp {
    @Bean
    DefaultErrorHandler errorHandler(DedupListeners dedup) {
      return tableErrorHandler(dedup);
    }

    @Bean
    BatchListenerIT.BatchListener batchListener(JdbcTemplate jdbc) {
      return new BatchListenerIT.BatchListener(jdbc);
    }
  }
}
