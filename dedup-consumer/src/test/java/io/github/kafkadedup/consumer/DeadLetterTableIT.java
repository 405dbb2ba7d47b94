package io.github.kafkadedup.consumer;
import io.github.kafkadedup.testsupport.LogCapture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.outbox.OutboxMetrics;
import io.github.kafkadedup.outbox.OutboxRelay;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14, dead letters through PostgreSQL ({@link Recoverer#deadLetterTable}): a poison, an undeserializable
 * and a key-less record are each stored with their {@code D} claim in the dedup transaction and published to
 * the DLT once by the outbox relay; a copy too large for the relay's producer is held (one WARN, a meter)
 * without stopping the relay; a relay started only after the dead-lettering commit publishes it once.
 */
class DeadLetterTableIT {
  static EngineFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("dead_letter_table");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  /** Fails for values starting with "boom". */
  static final RecordHandler<String, String> POISONED = (record, tx) -> {
    if (record.value() != null && record.value().startsWith("boom")) {
      throw new IllegalStateException("cannot price " + record.value().substring(0, 4));
    }
    EngineFixture.insertOrder().handle(record, tx);
  };

  static DedupConsumer<String, String> consumer(String topic) {
    return consumer(topic, false);
  }

  static DedupConsumer<String, String> consumer(String topic, boolean offsetsInDatabase) {
    return DedupConsumer.builder(fx.kafka.consumerProps("g-" + topic), new StringDeserializer(),
            new UndeserializableRecordIT.PickyDeserializer(), fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(POISONED).offsetsInDatabase(offsetsInDatabase)
        .recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer())).build();
  }

  static void send(Producer<byte[], byte[]> producer, String topic, String key, String value,
      String idempotencyKey) {
    var r = new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    if (idempotencyKey != null) {
      r.headers().add(KeyStrategy.DEFAULT_HEADER, idempotencyKey.getBytes(StandardCharsets.UTF_8));
    }
    try {
      producer.send(r).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("send failed", e);
    }
  }

  @ParameterizedTest(name = "offsetsInDatabase={0}")
  @ValueSource(booleans = {false, true})
  void poisonUndeserializableAndKeylessRecordsAreStoredWithTheirClaimAndPublishedOnce(boolean offsetsInDatabase) {
    String topic = fx.kafka.createTopic("dlq-table", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    var producer = fx.bytesProducer();
    send(producer, topic, "order-0", "v0", "u-0");
    send(producer, topic, "order-1", "boom-1", "u-1");
    send(producer, topic, "order-2", "!!garbage", "u-2");
    send(producer, topic, "order-3", "v3", null);
    send(producer, topic, "order-4", "v4", "u-4");
    fx.start(consumer(topic, offsetsInDatabase));
    try (OutboxRelay relay = fx.relay("dlq-relay", OutboxMetrics.none())) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(fx.count(
          "SELECT count(*) FROM dead_letters WHERE scope = 'g-" + topic + "' AND state = 'published'")).isEqualTo(3));
      List<ConsumerRecord<String, String>> dead = fx.readAll(topic + ".DLT", 3);
      assertThat(dead).as("each published once").hasSize(3);
      assertThat(dead).extracting(r -> header(r, "dedup-dlt-kind"))
          .containsExactlyInAnyOrder("HANDLER_FAILED", "UNDESERIALIZABLE", "MISSING_KEY");
      ConsumerRecord<String, String> unreadable = dead.stream()
          .filter(r -> header(r, "dedup-dlt-kind").equals("UNDESERIALIZABLE")).findFirst().orElseThrow();
      assertThat(unreadable.value()).as("the original bytes").isEqualTo("!!garbage");
      assertThat(header(unreadable, KeyStrategy.DEFAULT_HEADER)).isEqualTo("u-2");
    }
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(2);
    assertThat(fx.string("SELECT string_agg(reason || ':' || coalesce(message_key, '-') || ':' || source_offset, ','"
        + " ORDER BY source_offset) FROM dead_letters WHERE scope = 'g-" + topic + "'"))
        .isEqualTo("handler_failed:u-1:1,undeserializable:u-2:2,missing_key:-:3");
    assertThat(fx.count("SELECT count(*) FROM claims c JOIN dedup_scopes s USING (scope_id) WHERE s.scope = 'g-"
        + topic + "' AND c.status = 'D' AND c.key_id IN (dedup_key_id('u-1'), dedup_key_id('u-2'))"))
        .as("the D claims, committed with the dead letters").isEqualTo(2);
    assertThat(fx.count("SELECT count(*) FROM outbox")).as("published copies are deleted").isZero();
    if (offsetsInDatabase) {
      assertThat(fx.count("SELECT next_offset FROM consumer_offsets WHERE topic = '" + topic + "'"))
          .as("the offsets, stored in the dead letters' transactions too").isEqualTo(5);
    }
  }

  @Test
  void aCopyTooLargeForTheRelayIsHeldWithOneWarnAndTheRelayGoesOn() throws Exception {
    String topic = "dlq-huge-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    fx.kafka.createTopic(topic, 1, Map.of("max.message.bytes", "3000000"));
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    Map<String, Object> big = new java.util.HashMap<>(fx.kafka.bytesProducerProps());
    big.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 3_000_000);
    try (Producer<byte[], byte[]> producer = new KafkaProducer<>(big)) {
      send(producer, topic, "order-0", "boom" + "x".repeat(1_500_000), "h-0"); // above the relay's 1 MB
      send(producer, topic, "order-1", "v1", "h-1");
      send(producer, topic, "order-2", "boom-2", "h-2");
    }
    AtomicInteger held = new AtomicInteger();
    OutboxMetrics metrics = new OutboxMetrics() {
      @Override
      public void held(String relay, String kind) {
        held.incrementAndGet();
      }
    };
    Outbox<String, String> outbox = Outbox.builder(new StringSerializer(), new StringSerializer()).build();
    String plainTopic = fx.kafka.createTopic("dlq-plain", 1);
    try (LogCapture log = new LogCapture(OutboxRelay.class.getName());
        OutboxRelay relay = fx.relay("huge-relay", metrics)) {
      fx.start(consumer(topic));
      try (Connection c = fx.db.dataSource().getConnection()) { // an ordinary outbox row, too large as well
        c.setAutoCommit(false);
        outbox.send(c, plainTopic, "k", "y".repeat(1_200_000));
        outbox.send(c, plainTopic, "k", "small");
        c.commit();
      }
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(fx.count("SELECT count(*) FROM dead_letters WHERE scope = 'g-" + topic + "' AND state = 'held'"))
            .isEqualTo(1);
        assertThat(fx.count("SELECT count(*) FROM dead_letters WHERE scope = 'g-" + topic
            + "' AND state = 'published'")).as("the next dead letter is not blocked").isEqualTo(1);
        assertThat(fx.count("SELECT count(*) FROM dead_letters WHERE reason = 'unpublishable' AND state = 'held'"
            + " AND source_topic = '" + plainTopic + "'")).isEqualTo(1);
      });
      assertThat(fx.readAll(plainTopic, 1)).extracting(ConsumerRecord::value).containsExactly("small");
      assertThat(fx.readAll(topic + ".DLT", 1)).extracting(ConsumerRecord::value).containsExactly("boom-2");
      assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(1);
      assertThat(fx.string("SELECT last_error FROM dead_letters WHERE scope = 'g-" + topic
          + "' AND state = 'held'")).contains("RecordTooLargeException");
      assertThat(fx.count("SELECT octet_length(record_value) FROM dead_letters WHERE scope = 'g-" + topic
          + "' AND state = 'held'")).as("the original bytes are kept").isEqualTo(1_500_004);
      assertThat(held).hasValue(2);
      assertThat(log.count("WARN", "can never be published")).as("one WARN per held record").isEqualTo(2);
      assertThat(fx.count("SELECT count(*) FROM outbox")).isZero();
    }
  }

  @Test
  void aDeadLetterCommittedBeforeAnyRelayRunsIsPublishedOnceByTheRelayStartedLater() {
    String topic = fx.kafka.createTopic("dlq-later", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    var producer = fx.bytesProducer();
    send(producer, topic, "order-1", "boom-1", "l-1");
    send(producer, topic, "order-2", "v2", "l-2");
    DedupConsumer<String, String> consumer = fx.start(consumer(topic));
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(1));
    consumer.close();
    assertThat(fx.count("SELECT count(*) FROM dead_letters WHERE scope = 'g-" + topic + "' AND state = 'pending'"))
        .as("committed with the D claim, waiting for a relay").isEqualTo(1);
    assertThat(fx.count("SELECT count(*) FROM outbox o JOIN dead_letters d ON d.id = o.dead_letter_id"
        + " WHERE d.scope = 'g-" + topic + "'")).isEqualTo(1);

    fx.relay("later-1", OutboxMetrics.none()).close(); // a relay that stops at once: the row stays or is published
    try (OutboxRelay relay = fx.relay("later-2", OutboxMetrics.none())) {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(fx.count(
          "SELECT count(*) FROM dead_letters WHERE scope = 'g-" + topic + "' AND state = 'published'")).isEqualTo(1));
    }
    assertThat(fx.readAll(topic + ".DLT", 1)).as("published once").hasSize(1);
  }

  /**
   * The same record dead-lettered again (a transaction whose commit outcome was unknown, a zombie, a
   * redelivery after a crash before the offset commit) stores nothing and writes no second copy: with a key
   * the D claim finds it, without one the dead letter's unique source does.
   */
  @Test
  void deadLetteringTheSameRecordAgainStoresNothing() {
    // the topics must exist: a relay of another test would wait for a missing topic's metadata (max.block.ms)
    String topic = fx.kafka.createTopic("again", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    DedupProcessor<String, String> processor = DedupProcessor.<String, String>builder(fx.db.dataSource())
        .config(DedupConfig.builder().scope("again").build()).keyStrategy(KeyStrategy.header())
        .recordHandler(POISONED).recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer()))
        .build();
    var poison = new ConsumerRecord<>(topic, 0, 7L, "order-7", "boom-7");
    poison.headers().add(KeyStrategy.DEFAULT_HEADER, "a-7".getBytes(StandardCharsets.UTF_8));
    var keyless = new ConsumerRecord<>(topic, 0, 8L, "order-8", "v8");
    for (int round = 0; round < 2; round++) {
      BatchResult first = processor.process(List.of(poison));
      BatchResult second = processor.process(List.of(keyless));
      assertThat(first.deadLettered() + second.deadLettered()).as("round %s", round).isEqualTo(round == 0 ? 2 : 0);
      assertThat(first.redeliveries() + second.redeliveries()).as("round %s", round).isEqualTo(round == 0 ? 0 : 2);
    }
    assertThat(fx.string("SELECT string_agg(reason || '@' || source_offset || ':' || state, ',' ORDER BY id)"
        + " FROM dead_letters WHERE scope = 'again'")).isEqualTo("handler_failed@7:pending,missing_key@8:pending");
    assertThat(fx.count("SELECT count(*) FROM outbox o JOIN dead_letters d ON d.id = o.dead_letter_id"
        + " WHERE d.scope = 'again'")).as("one DLT copy each").isEqualTo(2);
  }

  static String header(ConsumerRecord<?, ?> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
