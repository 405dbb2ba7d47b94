package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.outbox.DeadLetters;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Issue 24's sequencing in Spring listeners ({@code dedup.listener.sequencing=record-key}), with the
 * {@link DeadLetterTableRecoverer} and the outbox relay: a poison record of sequence acct-1 parks acct-1's later
 * records in {@code dead_letters} (state {@code parked}) while acct-2 flows; replaying the head applies acct-1's
 * records in order, each once, and releases acct-1, whose next record flows again. One test per listener shape;
 * a real broker and PostgreSQL.
 */
class SequencingSpringIT {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String[] SEQUENCED = {"dedup.listener.sequencing=record-key",
      "dedup.outbox.relay.enabled=true"};

  @Test
  void recordListenerOneTransactionPerPoll() throws Exception {
    parksReplaysAndReleases("spring-seq-poll", RecordApp.class);
  }

  @Test
  void recordListenerOneTransactionPerRecord() throws Exception {
    parksReplaysAndReleases("spring-seq-record", RecordApp.class, "dedup.listener.transaction-per=record");
  }

  @Test
  void batchListener() throws Exception {
    parksReplaysAndReleases("spring-seq-batch", BatchApp.class, "spring.kafka.listener.type=batch");
  }

  @Test
  void aNewOwnerOfThePartitionKnowsWhatIsParked() {
    try (SpringFixture f = new SpringFixture("spring-seq-owner")) {
      f.sendKeyed("acct-1", "u-z1", "boom-z1");
      f.sendKeyed("acct-1", "u-z2", "z2");
      ConfigurableApplicationContext first = f.start(RecordApp.class, SEQUENCED);
      await().atMost(WAIT).untilAsserted(() -> assertThat(deadLetters(f))
          .isEqualTo("boom-z1:handler_failed,z2:parked:sequence_parked"));
      await().atMost(WAIT).until(() -> f.committed() == 2);
      first.close();
      f.start(RecordApp.class, SEQUENCED); // a new owner, which never saw the dead letter
      f.sendKeyed("acct-1", "u-z3", "z3");
      f.sendKeyed("acct-9", "u-w1", "w1");
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(applied(f, "acct-9")).isEqualTo("w1");
        assertThat(deadLetters(f)).endsWith("z3:parked:sequence_parked");
      });
      assertThat(applied(f, "acct-1")).isEmpty();
    }
  }

  @Test
  void sequencingWithoutTheDeadLetterTableRecovererFailsAtStartUpNamingTheProperty() {
    try (SpringFixture f = new SpringFixture("spring-seq-no-table")) {
      assertThatThrownBy(() -> f.start(PlainApp.class, "dedup.listener.sequencing=record-key"))
          .rootCause().isInstanceOf(DedupException.class)
          .hasMessageContaining("dedup.listener.sequencing=record-key")
          .hasMessageContaining("DeadLetterTableRecoverer.of(");
    }
  }

  private static void parksReplaysAndReleases(String name, Class<?> app, String... more) throws Exception {
    try (SpringFixture f = new SpringFixture(name)) {
      for (String[] r : new String[][] {{"acct-1", "a1"}, {"acct-2", "b1"}, {"acct-1", "boom-a2"}, {"acct-2", "b2"},
          {"acct-1", "a3"}, {"acct-1", "a4"}, {"acct-2", "b3"}}) {
        f.sendKeyed(r[0], "u-" + r[1], r[1]);
      }
      String[] properties = concat(SEQUENCED, more);
      ConfigurableApplicationContext context = f.start(app, properties);
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(applied(f, "acct-2")).as("another sequence flows").isEqualTo("b1,b2,b3");
        assertThat(deadLetters(f)).isEqualTo("boom-a2:handler_failed,a3:parked:sequence_parked,"
            + "a4:parked:sequence_parked"); // the head's state: pending, then published by the relay
      });
      await().atMost(WAIT).until(() -> f.committed() == 7);
      assertThat(applied(f, "acct-1")).as("nothing of acct-1 after its dead letter").isEqualTo("a1");
      assertThat(f.count("SELECT count(*) FROM parked_sequences")).isEqualTo(1);
      f.sendKeyed("acct-1", "u-a5", "a5"); // parked behind the head too
      await().atMost(WAIT).untilAsserted(() -> assertThat(deadLetters(f)).endsWith("a5:parked:sequence_parked"));

      context.getBean(Healing.class).healed.set(true);
      long head = f.count("SELECT id FROM dead_letters WHERE reason = 'handler_failed'");
      DeadLetters.of(f.db.dataSource()).replay(head, "alice", "ledger fixed");
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(f.count("SELECT count(*) FROM parked_sequences")).as("released").isZero();
        assertThat(applied(f, "acct-1")).isEqualTo("a1,boom-a2,a3,a4,a5");
      });
      f.sendKeyed("acct-1", "u-a6", "a6"); // released: flows again
      await().atMost(WAIT).untilAsserted(() -> assertThat(applied(f, "acct-1")).isEqualTo("a1,boom-a2,a3,a4,a5,a6"));
      assertThat(f.count("SELECT count(*) FROM dead_letters WHERE state = 'replayed' "
          + "AND replay_applied_at IS NOT NULL")).as("the head and each parked record applied once").isEqualTo(4);
      assertThat(applied(f, "acct-2")).isEqualTo("b1,b2,b3");
    }
  }

  private static String applied(SpringFixture f, String sequence) {
    return f.string("SELECT coalesce(string_agg(payload, ',' ORDER BY id), '') FROM orders WHERE order_key = '"
        + sequence + "'");
  }

  private static String deadLetters(SpringFixture f) {
    return f.string("SELECT coalesce(string_agg(convert_from(record_value, 'UTF8') || ':' || CASE WHEN reason = "
        + "'handler_failed' THEN '' ELSE state || ':' END || reason, ',' ORDER BY id), '') FROM dead_letters");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** Whether the "boom" records have been fixed. */
  static final class Healing {
    final AtomicBoolean healed = new AtomicBoolean();

    /** Writes {@code record} as applied (order key = its record key, the sequence); a "boom" fails until healed. */
    void apply(JdbcTemplate jdbc, ConsumerRecord<String, String> record) {
      jdbc.update("INSERT INTO orders (order_key, payload, kafka_offset) VALUES (?, ?, ?)", record.key(),
          record.value(), record.offset());
      if (record.value().startsWith("boom") && !healed.get()) {
        throw new IllegalStateException("cannot apply " + record.value());
      }
    }
  }

  /** The error handler with the table recoverer (no retries), the healing switch. */
  @Configuration(proxyBeanMethods = false)
  static class TableErrorHandling {
    @Bean
    DefaultErrorHandler errorHandler(DedupListeners dedup) {
      return new DefaultErrorHandler(DeadLetterTableRecoverer.of(dedup, new StringSerializer(),
          new StringSerializer(), r -> r.topic() + "-dlt"), new FixedBackOff(0, 0));
    }

    @Bean
    Healing healing() {
      return new Healing();
    }
  }

  /** A record listener. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(TableErrorHandling.class)
  static class RecordApp {
    @Bean
    RecordListener recordListener(JdbcTemplate jdbc, Healing healing) {
      return new RecordListener(jdbc, healing);
    }
  }

  /** A batch listener. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(TableErrorHandling.class)
  static class BatchApp {
    @Bean
    BatchListener batchListener(JdbcTemplate jdbc, Healing healing) {
      return new BatchListener(jdbc, healing);
    }
  }

  /** A record listener with Spring's own DLT recoverer: sequencing has no table to park in. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(DltErrorHandling.class)
  static class PlainApp {
    @Bean
    RecordListener recordListener(JdbcTemplate jdbc) {
      return new RecordListener(jdbc, new Healing());
    }
  }

  /** Applies one record. */
  static class RecordListener {
    private final JdbcTemplate jdbc;
    private final Healing healing;

    RecordListener(JdbcTemplate jdbc, Healing healing) {
      this.jdbc = jdbc;
      this.healing = healing;
    }

    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onUpdate(ConsumerRecord<String, String> record) {
      healing.apply(jdbc, record);
    }
  }

  /** Applies a list of records in order. */
  static class BatchListener {
    private final JdbcTemplate jdbc;
    private final Healing healing;

    BatchListener(JdbcTemplate jdbc, Healing healing) {
      this.jdbc = jdbc;
      this.healing = healing;
    }

    @Transactional
    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onUpdates(List<ConsumerRecord<String, String>> records) {
      records.forEach(record -> healing.apply(jdbc, record));
    }
  }
}
