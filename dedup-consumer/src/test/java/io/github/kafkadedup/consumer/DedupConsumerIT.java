package io.github.kafkadedup.consumer;
import io.github.kafkadedup.testsupport.LogCapture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The kafka-clients loop against the real broker and PostgreSQL. */
class DedupConsumerIT {
  static EngineFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("consumer");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  private DedupConsumer<String, String> consumer(String topic, String group, RecordHandler<String, String> handler) {
    return DedupConsumer.builder(fx.kafka.consumerProps(group), new StringDeserializer(), new StringDeserializer(),
            fx.db.dataSource())
        .topics(topic)
        .keyStrategy(KeyStrategy.header())
        .recordHandler(handler)
        .recoverer(fx.dlt())
        .build();
  }

  @Test
  void resendsOfOneKeyHaveOneEffect() {
    String topic = fx.kafka.createTopic("resend", 3);
    var producer = fx.producer();
    for (int i = 0; i < 3; i++) {
      EngineFixture.send(producer, topic, "order-1", "attempt-" + i, "key-resend-1");
    }
    EngineFixture.send(producer, topic, "order-2", "other", "key-resend-2");
    fx.start(consumer(topic, "g-resend", EngineFixture.insertOrder()));

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(2));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "' AND order_key = 'order-1'"))
            .isEqualTo(1));
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "' AND payload = 'attempt-0'"))
        .as("the first occurrence wins").isEqualTo(1);
  }

  @Test
  void poisonRecordGoesToTheDeadLetterTopicAndTheOthersAreAppliedOnce() {
    String topic = fx.kafka.createTopic("poison", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    var producer = fx.producer();
    for (int i = 0; i < 100; i++) {
      var r = new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "order-" + i, "v" + i);
      r.headers().add(KeyStrategy.DEFAULT_HEADER, ("poison-" + i).getBytes(StandardCharsets.UTF_8));
      r.headers().add("trace-id", ("t" + i).getBytes(StandardCharsets.UTF_8));
      producer.send(r);
    }
    producer.flush();
    RecordHandler<String, String> insert = EngineFixture.insertOrder();
    fx.start(consumer(topic, "g-poison", (record, tx) -> {
      insert.handle(record, tx);
      if (record.value().equals("v42")) {
        throw new IllegalStateException("cannot apply order 42");
      }
    }));

    List<ConsumerRecord<String, String>> dead = fx.readAll(topic + ".DLT", 1);
    assertThat(dead).hasSize(1);
    ConsumerRecord<String, String> d = dead.get(0);
    assertThat(d.value()).isEqualTo("v42");
    assertThat(new String(d.headers().lastHeader("trace-id").value(), StandardCharsets.UTF_8)).isEqualTo("t42");
    assertThat(new String(d.headers().lastHeader("dedup-dlt-message").value(), StandardCharsets.UTF_8))
        .contains("cannot apply order 42").contains(topic + "-0@42");
    assertThat(new String(d.headers().lastHeader("dedup-dlt-reason").value(), StandardCharsets.UTF_8))
        .isEqualTo("handler_failed");
    assertThat(new String(d.headers().lastHeader("dedup-dlt-kind").value(), StandardCharsets.UTF_8))
        .isEqualTo("HANDLER_FAILED");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(99));
    assertThat(fx.count("SELECT count(DISTINCT order_key) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(99);
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "' AND payload = 'v42'")).isZero();
    assertThat(fx.count("SELECT count(*) FROM claims c JOIN dedup_scopes s USING (scope_id) WHERE s.scope = 'g-poison' AND c.status = 'D'"))
        .isEqualTo(1);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(committed("g-poison", topic)).isEqualTo(100));
  }

  @Test
  void consumersInDifferentScopesEachApplyEveryMessage() {
    String topic = fx.kafka.createTopic("scopes", 2);
    var producer = fx.producer();
    for (int i = 0; i < 50; i++) {
      EngineFixture.send(producer, topic, "order-" + i, "v" + i, "scope-key-" + i);
    }
    fx.start(consumer(topic, "g-scope-a", EngineFixture.insertOrder()));
    fx.start(consumer(topic, "g-scope-b", EngineFixture.insertOrder()));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(100));
    assertThat(fx.count("SELECT count(DISTINCT scope_id) FROM claims WHERE key_id = dedup_key_id('scope-key-7')"))
        .isEqualTo(2);
  }

  @Test
  void anOffsetCommitRefusedDuringARebalanceIsRetriedWithoutNewRecords() {
    String topic = fx.kafka.createTopic("commit-retry", 1);
    var producer = fx.producer();
    for (int i = 0; i < 20; i++) {
      EngineFixture.send(producer, topic, "order-" + i, "v" + i, "retry-key-" + i);
    }
    java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    fx.start(DedupConsumer.builder(fx.kafka.consumerProps("g-commit-retry"), new StringDeserializer(),
            new StringDeserializer(), fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(EngineFixture.insertOrder())
        .recoverer(fx.dlt())
        .consumerFactory(p -> new org.apache.kafka.clients.consumer.KafkaConsumer<>(p, new StringDeserializer(),
            new StringDeserializer()) {
          @Override
          public void commitSync(Map<org.apache.kafka.common.TopicPartition,
              org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets) {
            if (refused.getAndIncrement() == 0) { // the first commit meets a rebalance
              throw new org.apache.kafka.common.errors.RebalanceInProgressException("rebalance in progress");
            }
            super.commitSync(offsets);
          }
        })
        .build());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(20);
      assertThat(committed("g-commit-retry", topic)).as("committed although no record came after").isEqualTo(20);
    });
    assertThat(refused.get()).isGreaterThanOrEqualTo(2);
  }

  /**
   * Issue 16, defect 7: during a rebalance every batch's offset commit can fail; that used to be one WARN per
   * batch (thousands in a run). Now the first refusal of an episode is logged at WARN (and another exception),
   * every one is counted.
   */
  @Test
  void refusedOffsetCommitsAreCountedEachAndLoggedOncePerEpisode() {
    String topic = fx.kafka.createTopic("commit-flood", 1);
    var producer = fx.producer();
    for (int i = 0; i < 20; i++) {
      EngineFixture.send(producer, topic, "order-" + i, "v" + i, "flood-key-" + i);
    }
    java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    CountingMetrics metrics = new CountingMetrics();
    Map<String, Object> props = fx.kafka.consumerProps("g-commit-flood");
    props.put("max.poll.records", 2); // ten batches, ten commits
    try (LogCapture log = new LogCapture("io.github.kafkadedup.consumer.DedupConsumer")) {
      fx.start(DedupConsumer.builder(props, new StringDeserializer(), new StringDeserializer(), fx.db.dataSource())
          .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(EngineFixture.insertOrder())
          .recoverer(fx.dlt()).config(DedupConfig.builder().metrics(metrics).build())
          .consumerFactory(p -> new org.apache.kafka.clients.consumer.KafkaConsumer<>(p, new StringDeserializer(),
              new StringDeserializer()) {
            @Override
            public void commitSync(Map<org.apache.kafka.common.TopicPartition,
                org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets) {
              int n = refused.getAndIncrement();
              if (n < 6) { // six commits in a row meet the same rebalance
                throw new org.apache.kafka.common.errors.RebalanceInProgressException("rebalance in progress");
              }
              if (n == 6) { // then another failure: worth its own line
                throw new org.apache.kafka.common.errors.TimeoutException("commit timed out");
              }
              super.commitSync(offsets);
            }
          })
          .build());
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(20);
        assertThat(committed("g-commit-flood", topic)).isEqualTo(20);
      });
      assertThat(metrics.get("commitFailed.RebalanceInProgressException")).as("every refusal counted").isEqualTo(6);
      assertThat(metrics.get("commitFailed.TimeoutException")).isEqualTo(1);
      assertThat(log.count("WARN", "offset commit failed")).as("one line for the episode, one for the other "
          + "exception").isEqualTo(2);
      assertThat(log.count("WARN", "RebalanceInProgressException")).isEqualTo(1);
    }
  }

  /**
   * Issue 16, defect 1: with only bootstrap.servers and group.id (the README's props), records published
   * before the group first joined used to be skipped (Kafka's default auto.offset.reset=latest).
   */
  @Test
  void aNewGroupWithoutAutoOffsetResetAppliesWhatWasPublishedBeforeItJoined() {
    String topic = fx.kafka.createTopic("offset-reset", 2);
    var producer = fx.producer();
    for (int i = 0; i < 10; i++) {
      EngineFixture.send(producer, topic, "order-" + i, "v" + i, "reset-key-" + i);
    }
    Map<String, Object> props = new java.util.HashMap<>(Map.of("bootstrap.servers", fx.kafka.bootstrapServers(),
        "group.id", "g-offset-reset"));
    fx.start(DedupConsumer.builder(props, new StringDeserializer(), new StringDeserializer(), fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(EngineFixture.insertOrder())
        .recoverer(fx.dlt()).build());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(10));
  }

  @Test
  void anExplicitLatestIsHonouredAndLoggedNamingTheConsequence() {
    Map<String, Object> props = fx.kafka.consumerProps("g-latest");
    props.put("auto.offset.reset", "latest");
    try (LogCapture log = new LogCapture("io.github.kafkadedup.consumer.DedupConsumer")) {
      DedupConsumer<String, String> consumer = DedupConsumer.builder(props, new StringDeserializer(),
              new StringDeserializer(), fx.db.dataSource())
          .topics("any").keyStrategy(KeyStrategy.header()).recordHandler(EngineFixture.insertOrder())
          .recoverer(Recoverer.logAndMarkDead()).build();
      consumer.close();
      assertThat(log.count("WARN", "auto.offset.reset=latest (set explicitly)")).isEqualTo(1);
      assertThat(log.lines).anySatisfy(l -> assertThat(l).contains("never applied, never dead-lettered"));
    }
  }

  /**
   * Issue 16, defect 5: two different records whose idempotency-key header is only whitespace used to be
   * taken for one message (the second dropped as a re-send). A blank key is no key: the fallback decides.
   */
  @Test
  void recordsWithBlankIdempotencyKeysAreNotTakenForOneMessage() {
    String topic = fx.kafka.createTopic("blank-keys", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    var producer = fx.producer();
    EngineFixture.send(producer, topic, "order-1", "first", "   ");
    EngineFixture.send(producer, topic, "order-2", "second", "   ");
    EngineFixture.send(producer, topic, "order-3", "third", "\t");
    fx.start(DedupConsumer.builder(fx.kafka.consumerProps("g-blank"), new StringDeserializer(),
            new StringDeserializer(), fx.db.dataSource())
        .topics(topic)
        .keyStrategy(KeyStrategy.<String, String>header().orElse(KeyStrategy.topicPartitionOffset()))
        .recordHandler(EngineFixture.insertOrder()).recoverer(fx.dlt()).build());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(3));
    assertThat(fx.count("SELECT count(*) FROM claims c JOIN dedup_scopes s USING (scope_id) WHERE s.scope = "
        + "'g-blank' AND c.key_id IN (dedup_key_id('" + topic + "-0@0'), dedup_key_id('" + topic + "-0@1'), "
        + "dedup_key_id('" + topic + "-0@2'))")).as("keyed by the fallback").isEqualTo(3);
  }

  @Test
  void autoCommitIsRejectedNamingTheProperty() {
    Map<String, Object> props = fx.kafka.consumerProps("g-auto");
    props.put("enable.auto.commit", "true");
    assertThatThrownBy(() -> DedupConsumer.builder(props, new StringDeserializer(), new StringDeserializer(),
        fx.db.dataSource()))
        .isInstanceOf(DedupException.class)
        .hasMessageContaining("enable.auto.commit=true")
        .hasMessageContaining("set it to false");
  }

  private long committed(String group, String topic) throws Exception {
    var offsets = fx.kafka.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
        .mapToLong(e -> e.getValue().offset()).sum();
  }
}
