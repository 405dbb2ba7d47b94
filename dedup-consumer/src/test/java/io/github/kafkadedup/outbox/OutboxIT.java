package io.github.kafkadedup.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.consumer.BatchResult;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupProcessor;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sends through the outbox from a handler and from a plain transaction, published by a real relay. */
class OutboxIT {
  static OutboxFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new OutboxFixture("outbox");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  @AfterEach
  void stopRelays() {
    fx.closeRelays();
  }

  private static ConsumerRecord<String, String> order(long offset, String value) {
    ConsumerRecord<String, String> r = new ConsumerRecord<>("orders", 0, offset, "o" + offset, value);
    r.headers().add(KeyStrategy.DEFAULT_HEADER, ("order-" + offset).getBytes(StandardCharsets.UTF_8));
    return r;
  }

  @Test
  void handlerSendsArePublishedOnceWithKeysDerivedFromTheConsumedRecordAndNothingOfARollback() {
    String payments = fx.kafka.createTopic("payments", 3);
    DedupProcessor<String, String> processor = DedupProcessor.<String, String>builder(fx.db.dataSource())
        .config(DedupConfig.builder().scope("svc-a").build()).keyStrategy(KeyStrategy.header())
        .outbox(fx.outbox).recoverer(Recoverer.logAndMarkDead())
        .recordHandler((record, tx) -> {
          tx.send(payments, record.key(), "pay-" + record.value() + "-0");
          tx.send(payments, record.key(), "pay-" + record.value() + "-1");
          if (record.value().equals("poison")) {
            throw new IllegalStateException("poison"); // rolls back the two sends above
          }
        }).build();
    List<ConsumerRecord<String, String>> batch = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batch.add(order(i, i == 7 ? "poison" : "v" + i));
    }

    BatchResult first = processor.process(batch);
    BatchResult redelivery = processor.process(batch);

    assertThat(first.processed()).isEqualTo(19);
    assertThat(first.deadLettered()).isEqualTo(1);
    assertThat(redelivery.processed()).isZero();
    assertThat(fx.outboxRows()).as("19 records x 2 sends, none of the poison record").isEqualTo(38);
    fx.started(fx.relay("relay-handler"));
    List<ConsumerRecord<String, String>> published = fx.read(payments, 38, Duration.ofSeconds(30));
    assertThat(published).hasSize(38);
    Set<String> expectedKeys = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      if (i != 7) {
        expectedKeys.add(OutboxFixture.derived("svc-a", "order-" + i, 0));
        expectedKeys.add(OutboxFixture.derived("svc-a", "order-" + i, 1));
      }
    }
    assertThat(published).extracting(OutboxFixture::idempotencyKey).containsExactlyInAnyOrderElementsOf(expectedKeys);
    assertThat(published).extracting(ConsumerRecord::value).doesNotContain("pay-poison-0", "pay-poison-1");
    for (ConsumerRecord<String, String> r : published) {
      int n = Integer.parseInt(r.key().substring(1));
      int position = r.value().endsWith("-0") ? 0 : 1;
      assertThat(OutboxFixture.idempotencyKey(r)).isEqualTo(OutboxFixture.derived("svc-a", "order-" + n, position));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> fx.outboxRows() == 0);
  }

  @Test
  void plainSendPublishesOnlyCommittedTransactionsInOrderPerKey() throws Exception {
    String topic = fx.kafka.createTopic("plain", 2);
    try (Connection c = fx.db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      fx.outbox.send(c, topic, "k", "rolled-back");
      c.rollback();
    }
    List<String[]> sends = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sends.add(new String[] {"k" + (i % 5), String.valueOf(i)});
    }
    fx.sendCommitted(topic, sends);
    fx.started(fx.relay("relay-plain"));

    List<ConsumerRecord<String, String>> published = fx.read(topic, 50, Duration.ofSeconds(30));

    assertThat(published).hasSize(50).extracting(ConsumerRecord::value).doesNotContain("rolled-back");
    assertThat(published).extracting(OutboxFixture::idempotencyKey).doesNotHaveDuplicates()
        .allSatisfy(key -> assertThat(java.util.UUID.fromString(key).version()).isEqualTo(7));
    for (int k = 0; k < 5; k++) {
      String key = "k" + k;
      assertThat(published.stream().filter(r -> r.key().equals(key)).map(r -> Integer.parseInt(r.value())).toList())
          .as("order of %s", key).isSorted();
    }
  }

  @Test
  void sendNeedsATransactionAndAConfiguredOutbox() throws Exception {
    try (Connection c = fx.db.dataSource().getConnection()) {
      c.setAutoCommit(true);
      assertThatThrownBy(() -> fx.outbox.send(c, "t", "k", "v")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("autocommit");
    }
    DedupProcessor<String, String> noOutbox = DedupProcessor.<String, String>builder(fx.db.dataSource())
        .config(DedupConfig.builder().scope("svc-none").build()).keyStrategy(KeyStrategy.header())
        .recoverer(Recoverer.logAndMarkDead())
        .recordHandler((record, tx) -> tx.send("payments", record.key(), record.value())).build();
    BatchResult result = noOutbox.process(List.of(order(1, "v")));
    assertThat(result.deadLettered()).as("the handler's IllegalStateException").isEqualTo(1);
  }
}
