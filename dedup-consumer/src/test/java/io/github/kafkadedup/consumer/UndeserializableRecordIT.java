package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A record the consumer's own deserializer cannot read (poll throws RecordDeserializationException) goes to
 * the recoverer with its original bytes, and is not skipped while the recoverer fails. Found by the
 * reliability suite: the loop used to log and skip such records, so they were neither applied nor
 * dead-lettered.
 */
class UndeserializableRecordIT {
  static EngineFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("undeserializable");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  /** Throws for values starting with "!!". */
  static final class PickyDeserializer implements Deserializer<String> {
    @Override
    public String deserialize(String topic, byte[] data) {
      String s = new String(data, StandardCharsets.UTF_8);
      if (s.startsWith("!!")) {
        throw new IllegalArgumentException("not an order: " + s);
      }
      return s;
    }
  }

  @Test
  void anUndeserializableRecordReachesTheRecovererWithItsBytesAndTheOthersAreAppliedOnce() {
    String topic = fx.kafka.createTopic("undeserializable", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    var producer = fx.bytesProducer();
    for (int i = 0; i < 5; i++) {
      byte[] value = (i == 2 ? "!!garbage" : "v" + i).getBytes(StandardCharsets.UTF_8);
      var r = new ProducerRecord<>(topic, ("order-" + i).getBytes(StandardCharsets.UTF_8), value);
      r.headers().add(KeyStrategy.DEFAULT_HEADER, ("u-" + i).getBytes(StandardCharsets.UTF_8));
      producer.send(r);
    }
    producer.flush();
    Recoverer<String, String> dlt = fx.dlt();
    AtomicInteger calls = new AtomicInteger();
    Recoverer<String, String> failsOnce = (record, reason) -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("dead-letter topic briefly unavailable");
      }
      dlt.recover(record, reason);
    };
    fx.start(DedupConsumer.builder(fx.kafka.consumerProps("g-" + topic), new StringDeserializer(),
            new PickyDeserializer(), fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(EngineFixture.insertOrder())
        .recoverer(failsOnce).build());

    List<ConsumerRecord<String, String>> dead = fx.readAll(topic + ".DLT", 1);
    assertThat(dead).hasSize(1);
    ConsumerRecord<String, String> d = dead.get(0);
    assertThat(d.key()).isEqualTo("order-2");
    assertThat(d.value()).as("the original bytes").isEqualTo("!!garbage");
    assertThat(header(d, "dedup-dlt-kind")).isEqualTo("UNDESERIALIZABLE");
    assertThat(header(d, "dedup-dlt-original-offset")).isEqualTo("2");
    assertThat(header(d, KeyStrategy.DEFAULT_HEADER)).isEqualTo("u-2");
    assertThat(calls).as("a failing recoverer does not skip the record: it is tried again").hasValue(2);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(4));
    assertThat(fx.count("SELECT count(DISTINCT payload) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(4);
  }

  /**
   * Issue 16, defect 2: an undeserializable record at the tail of a partition used to be dead-lettered again
   * after every clean restart, because the offset after it was never committed (nor stored in the database).
   * The value key strategy finds no key for it, so only the committed offset can prevent the second copy.
   */
  @ParameterizedTest(name = "offsetsInDatabase={0}")
  @ValueSource(booleans = {false, true})
  void anUndeserializableRecordAtTheTailIsDeadLetteredOnceAcrossACleanRestart(boolean offsetsInDatabase)
      throws Exception {
    String topic = fx.kafka.createTopic("unreadable-tail", 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    var producer = fx.bytesProducer();
    for (int i = 0; i < 5; i++) {
      send(producer, topic, "order-" + i, i == 4 ? "!!garbage" : "v" + i, null);
    }
    String group = "g-" + topic;
    DedupConsumer<String, String> first = fx.start(valueKeyed(topic, group, offsetsInDatabase));
    assertThat(fx.readAll(topic + ".DLT", 1)).hasSize(1);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(committed(group, topic)).isEqualTo(5));
    if (offsetsInDatabase) {
      assertThat(fx.count("SELECT next_offset FROM consumer_offsets WHERE topic = '" + topic + "'"))
          .as("stored in the database too").isEqualTo(5);
    }
    first.close();

    fx.start(valueKeyed(topic, group, offsetsInDatabase));
    send(producer, topic, "order-5", "v5", null);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(5));
    // the restarted consumer reached offset 5, so a second copy of offset 4 would be on the DLT by now
    assertThat(fx.readAll(topic + ".DLT", 1)).as("no second dead-letter copy after the restart").hasSize(1);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(committed(group, topic)).isEqualTo(6));
  }

  /**
   * Issue 16, defect 3: an undeserializable record leaves a {@code D} claim when its key can be derived
   * without the value (a header, or the record key when only the value failed), like a handler failure; a
   * corrected record with the same key then goes to the recoverer (deadLetteredReplay=RECOVER), not applied.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"header", "recordKey"})
  void anUndeserializableRecordLeavesADeadLetteredClaimLikeAHandlerFailure(String strategy) {
    String topic = fx.kafka.createTopic("unreadable-claim-" + strategy, 1);
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    var producer = fx.bytesProducer();
    send(producer, topic, "order-1", "!!garbage", "u-1");
    send(producer, topic, "order-1", "corrected", "u-1");
    send(producer, topic, "order-2", "v2", "u-2");
    KeyStrategy<String, String> keys = strategy.equals("header") ? KeyStrategy.header()
        : KeyStrategy.recordKeyUniquePerMessage();
    fx.start(DedupConsumer.builder(fx.kafka.consumerProps("g-" + topic), new StringDeserializer(),
            new PickyDeserializer(), fx.db.dataSource())
        .topics(topic).keyStrategy(keys).recordHandler(EngineFixture.insertOrder()).recoverer(fx.dlt()).build());

    List<ConsumerRecord<String, String>> dead = fx.readAll(topic + ".DLT", 2);
    assertThat(dead).extracting(r -> header(r, "dedup-dlt-kind"))
        .containsExactly("UNDESERIALIZABLE", "DEAD_LETTERED_BEFORE");
    assertThat(dead.get(1).value()).isEqualTo("corrected");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).isEqualTo(1));
    String key = strategy.equals("header") ? "u-1" : "order-1";
    assertThat(fx.count("SELECT count(*) FROM claims c JOIN dedup_scopes s USING (scope_id) WHERE s.scope = 'g-" + topic
        + "' AND c.key_id = dedup_key_id('" + key + "') AND c.status = 'D'")).isEqualTo(1);
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "' AND payload = 'corrected'"))
        .as("the replay of a dead-lettered key is not applied").isZero();
  }

  private static DedupConsumer<String, String> valueKeyed(String topic, String group, boolean offsetsInDatabase) {
    return DedupConsumer.builder(fx.kafka.consumerProps(group), new StringDeserializer(), new PickyDeserializer(),
            fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.value(v -> "value-" + v)).offsetsInDatabase(offsetsInDatabase)
        .recordHandler(EngineFixture.insertOrder()).recoverer(fx.dlt()).build();
  }

  private static void send(Producer<byte[], byte[]> producer, String topic, String key, String value,
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

  private static long committed(String group, String topic) throws Exception {
    OffsetAndMetadata offset = fx.kafka.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
        .get(30, TimeUnit.SECONDS).get(new TopicPartition(topic, 0));
    return offset == null ? -1 : offset.offset();
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
