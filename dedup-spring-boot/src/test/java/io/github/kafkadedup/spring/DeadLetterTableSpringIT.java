package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.KafkaUtils;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Spring's dead letters through the {@code dead_letters} table ({@link DeadLetterTableRecoverer}): the user's
 * {@code DefaultErrorHandler} with this recoverer, a record listener batched per poll, the outbox relay of the
 * auto-configuration publishing to the DLT; a real broker and PostgreSQL.
 */
class DeadLetterTableSpringIT {

  @Test
  void aPoisonRecordIsStoredWithItsDClaimAndPublishedOnceAndAReplayOfItsKeyIsRecoveredAgain() {
    try (SpringFixture f = new SpringFixture("spring-dl-table")) {
      f.send("k1", "ok-1");
      f.send("k2", "poison-2");
      f.send("k3", "ok-3");
      ConfigurableApplicationContext app = f.start(TableApp.class, "dedup.outbox.relay.enabled=true");

      List<ConsumerRecord<String, String>> dlt = f.deadLetters(1);
      await().atMost(Duration.ofSeconds(90)).until(() -> f.committed() == 3);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> f.count("SELECT count(*) FROM dead_letters WHERE state = 'published'") == 1);

      assertThat(dlt).extracting(ConsumerRecord::value).containsExactly("poison-2");
      assertThat(header(dlt.getFirst(), "dedup-dlt-kind")).isEqualTo("HANDLER_FAILED");
      assertThat(header(dlt.getFirst(), "dedup-dlt-exception")).isEqualTo(IllegalStateException.class.getName());
      assertThat(header(dlt.getFirst(), "idempotency-key")).isEqualTo("k2"); // the original headers are kept
      assertThat(f.count("SELECT count(*) FROM dead_letters")).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM dead_letters WHERE reason = 'handler_failed' AND source_offset = 1 "
          + "AND key_id = dedup_key_id('k2') AND exception_message LIKE '%poison-2 is poison%' "
          + "AND convert_from(record_value, 'UTF8') = 'poison-2'")).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'D'")).isEqualTo(1);
      assertThat(f.count("SELECT kafka_offset FROM claims WHERE key_id = dedup_key_id('k2') AND status = 'D'"))
          .isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(2);
      assertThat(f.count("SELECT count(*) FROM outbox")).isZero();
      // the retry listener's claim, were it to run again for this record, finds it dead-lettered: no write
      ConsumerRecord<String, String> again = new ConsumerRecord<>(f.topic, 0, 1, "poison-2", "poison-2");
      again.headers().add("idempotency-key", "k2".getBytes(StandardCharsets.UTF_8));
      DedupListeners dedup = app.getBean(DedupListeners.class);
      assertThat(dedup.claims().deadLettered(f.group, again, dedup.transactions())).isFalse();
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'D'")).isEqualTo(1);

      f.send("k2", "fixed-2"); // a re-send of the dead-lettered key: deadLetteredReplay=RECOVER (default)
      f.send("k4", "ok-4");
      List<ConsumerRecord<String, String>> both = f.deadLetters(2);
      await().atMost(Duration.ofSeconds(90)).until(() -> f.committed() == 5);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> f.count("SELECT count(*) FROM dead_letters WHERE state = 'published'") == 2);

      assertThat(both).extracting(ConsumerRecord::value).containsExactly("poison-2", "fixed-2");
      assertThat(header(both.get(1), "dedup-dlt-kind")).isEqualTo("DEAD_LETTERED_BEFORE");
      assertThat(f.count("SELECT count(*) FROM dead_letters WHERE reason = 'dead_lettered_before' "
          + "AND source_offset = 3")).isEqualTo(1);
      assertThat(f.count("SELECT kafka_offset FROM claims WHERE key_id = dedup_key_id('k2') AND status = 'D'"))
          .isEqualTo(3); // the D claim moved to the replay, as in the engine
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'D'")).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM orders WHERE order_key = 'k2'")).isZero();
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(3);
      // counted once each: by the recoverer, not again by the error handler's retry listener
      assertThat(app.getBean(MeterRegistry.class).find("kafka.dedup.dead.lettered").counters().stream()
          .mapToDouble(c -> c.count()).sum()).isEqualTo(2.0);

      // every record delivered again (offsets lost, as after a crash before the offset commit): nothing new
      app.close();
      f.rewind();
      f.start(TableApp.class, "dedup.outbox.relay.enabled=true");
      await().atMost(Duration.ofSeconds(90)).until(() -> f.committed() == 5);
      assertThat(f.count("SELECT count(*) FROM dead_letters")).isEqualTo(2);
      assertThat(f.count("SELECT count(*) FROM outbox")).isZero();
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(3);
      assertThat(f.deadLetters(3)).hasSize(2);
    }
  }

  @Test
  void withOneTransactionPerRecordTheRecovererStoresTheDeadLetterToo() {
    try (SpringFixture f = new SpringFixture("spring-dl-table-per-record")) {
      f.send("k1", "poison-1");
      f.send("k2", "ok-2");
      f.start(TableApp.class, "dedup.outbox.relay.enabled=true", "dedup.listener.transaction-per=record");
      assertThat(f.deadLetters(1)).extracting(ConsumerRecord::value).containsExactly("poison-1");
      await().atMost(Duration.ofSeconds(90)).until(() -> f.committed() == 2);
      assertThat(f.count("SELECT count(*) FROM dead_letters WHERE reason = 'handler_failed' "
          + "AND key_id = dedup_key_id('k1')")).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM claims WHERE key_id = dedup_key_id('k1') AND status = 'D'"))
          .isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(1);
    }
  }

  @Test
  void deadLettersReplayRunsTheRecordThroughTheSpringListenerOnce() throws Exception {
    try (SpringFixture f = new SpringFixture("spring-dl-table-replay")) {
      f.send("k1", "poison-1");
      f.send("k2", "ok-2");
      ConfigurableApplicationContext app = f.start(TableApp.class, "dedup.outbox.relay.enabled=true");
      assertThat(f.deadLetters(1)).extracting(ConsumerRecord::value).containsExactly("poison-1");
      await().atMost(Duration.ofSeconds(90)).until(() -> f.committed() == 2);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> f.count("SELECT count(*) FROM dead_letters WHERE state = 'published'") == 1);

      app.getBean(PoisonListener.class).healed.set(true); // the bug is fixed
      DeadLetters deadLetters = DeadLetters.of(f.db.dataSource());
      long id = f.count("SELECT id FROM dead_letters");
      DeadLetter replayed = deadLetters.replay(id, "test", "fixed the poison parser");
      assertThat(replayed.state()).isEqualTo(DeadLetters.State.REPLAYED);

      // the relay puts the original record back on the topic; the listener applies it once
      await().atMost(Duration.ofSeconds(90)).until(() -> f.committed() == 3);
      assertThat(f.count("SELECT count(*) FROM orders WHERE order_key = 'k1'")).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM orders WHERE order_key = 'k1' AND payload = 'poison-1'"))
          .isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM claims WHERE key_id = dedup_key_id('k1') AND status = 'P'"))
          .isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(2);
      assertThat(f.count("SELECT count(*) FROM dead_letters")).isEqualTo(1);
    }
  }

  @Test
  void anUndeserializableRecordIsStoredWithItsOriginalBytesAndItsKeyClaimed() {
    try (SpringFixture f = new SpringFixture("spring-dl-table-unreadable")) {
      f.send("k1", "ok-1");
      f.send("k2", "garbage-2");
      f.send("k3", "ok-3");
      f.start(TableApp.class, "dedup.outbox.relay.enabled=true",
          "spring.kafka.consumer.value-deserializer=" + ErrorHandlingDeserializer.class.getName(),
          "spring.kafka.consumer.properties.spring.deserializer.value.delegate.class="
              + PickyDeserializer.class.getName());

      List<ConsumerRecord<String, String>> dlt = f.deadLetters(1);
      await().atMost(Duration.ofSeconds(90)).until(() -> f.committed() == 3);

      assertThat(dlt).extracting(ConsumerRecord::value).containsExactly("garbage-2");
      assertThat(header(dlt.getFirst(), "dedup-dlt-kind")).isEqualTo("UNDESERIALIZABLE");
      assertThat(dlt.getFirst().headers().lastHeader(KafkaUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER)).isNull();
      assertThat(f.count("SELECT count(*) FROM dead_letters WHERE reason = 'undeserializable' "
          + "AND convert_from(record_value, 'UTF8') = 'garbage-2' AND key_id = dedup_key_id('k2')")).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM claims WHERE key_id = dedup_key_id('k2') AND status = 'D'"))
          .isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(2);
    }
  }

  /** Reads strings, but not those starting with "garbage". */
  public static final class PickyDeserializer implements Deserializer<String> {
    @Override
    public String deserialize(String topic, byte[] data) {
      String s = new String(data, StandardCharsets.UTF_8);
      if (s.startsWith("garbage")) {
        throw new SerializationException("cannot read " + s);
      }
      return s;
    }
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** The user's error handler with the table recoverer; the DLT is the fixture's {@code -dlt} topic. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class TableApp {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean
    DefaultErrorHandler errorHandler(DedupListeners dedup) {
      return new DefaultErrorHandler(DeadLetterTableRecoverer.of(dedup, new StringSerializer(),
          new StringSerializer(), r -> r.topic() + "-dlt"), new FixedBackOff(50, 2));
    }

    @Bean
    PoisonListener poisonListener(JdbcTemplate jdbc) {
      return new PoisonListener(jdbc);
    }
  }

  /** Writes one row per record; "poison" values fail until healed. */
  static class PoisonListener {
    final AtomicBoolean healed = new AtomicBoolean();
    private final JdbcTemplate jdbc;

    PoisonListener(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onOrder(ConsumerRecord<String, String> record) {
      jdbc.update("INSERT INTO orders (order_key, payload, kafka_offset) VALUES (?, ?, ?)",
          PollListenerIT.key(record), record.value(), record.offset());
      if (record.value().startsWith("poison") && !healed.get()) {
        throw new IllegalStateException(record.value() + " is poison");
      }
    }
  }
}
