package io.github.kafkadedup.examples.naturalkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.examples.plain.OrderPlaced;
import io.github.kafkadedup.examples.plain.OrderService;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import io.github.kafkadedup.testsupport.ChildJvm;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestKafka;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The natural-key fast path against the real broker and PostgreSQL: a consumer killed between its database
 * commit and Kafka's offset commit, re-sends of the same orders (before and after the crash, within a batch
 * and across batches), and exactly one row per order, with no claim row written.
 */
class NaturalKeyOrderServiceIT {
  static final TestKafka kafka = TestKafka.get();
  static TestDatabase db;

  @BeforeAll
  static void database() {
    db = TestPostgres.get().createDatabase("natural_key_order_service");
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static Producer<String, String> producer() {
    return new KafkaProducer<>(IdempotentProducerConfig.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .keySerializer(StringSerializer.class)
        .valueSerializer(StringSerializer.class)
        .build()
        .toMap());
  }

  /** Order {@code n}: id {@code o-<topic>-n}, one of four customers, {@code 100 * n} cents. */
  private static ProducerRecord<String, String> order(String topic, int n, long amountCents) {
    String customer = topic + "-customer-" + n % 4;
    return new ProducerRecord<>(topic, customer, new OrderPlaced("o-" + topic + "-" + n, customer, amountCents).toText());
  }

  /** Sends orders {@code from..to} (each a new record, as an application re-sending them would). */
  private static int send(Producer<String, String> producer, String topic, int from, int to) throws Exception {
    for (int n = from; n <= to; n++) {
      producer.send(order(topic, n, 100L * n)).get(30, TimeUnit.SECONDS);
    }
    return to - from + 1;
  }

  @Test
  void aCrashBeforeKafkasCommitAndReSentOrdersLeaveExactlyOneRowPerOrderAndNoClaimRow() throws Exception {
    String topic = kafka.createTopic("nk-orders", 3);
    kafka.createTopic(topic + ".DLT", 1, Map.of());
    String group = "nk-" + topic;
    OrderService.Settings settings = new OrderService.Settings(kafka.bootstrapServers(), db.jdbcUrl(), db.user(),
        db.password(), topic, group);
    int records = 0;
    try (Producer<String, String> producer = producer()) {
      records += send(producer, topic, 1, 60);
      records += send(producer, topic, 1, 15); // re-sends: the same orders at new offsets
    }

    // a consumer that dies right after its first batch's database commit, before Kafka's offset commit
    String line;
    try (ChildJvm child = ChildJvm.builder(NaturalKeyCrashMain.class).name("natural-key-crash")
        .args(kafka.bootstrapServers(), db.jdbcUrl(), db.user(), db.password(), topic, group).start()) {
      line = child.awaitLine("HALT-AFTER-DATABASE-COMMIT", Duration.ofSeconds(180));
      assertThat(child.waitFor(Duration.ofSeconds(60))).isEqualTo(137);
    }
    int firstBatch = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
    assertThat(firstBatch).isBetween(1, 20);
    assertThat(storedOffsets(topic)).as("the database holds the first batch's offsets (-1: none yet): %s", text(
        "SELECT string_agg(kafka_partition || ':' || next_offset, ', ') FROM kafka_dedup.consumer_offsets WHERE topic = '"
        + topic + "'")).isEqualTo(firstBatch);
    assertThat(committed(group, topic)).as("Kafka never got them: a restart from Kafka's offsets redelivers")
        .isZero();
    long rowsBeforeRestart = orders(topic);
    assertThat(rowsBeforeRestart).isBetween(1L, (long) firstBatch);

    AtomicInteger handled = new AtomicInteger();
    DedupMetrics counting = new DedupMetrics() {
      @Override
      public void processed(String scope, int count) {
        handled.addAndGet(count);
      }
    };
    try (Producer<String, String> producer = producer();
        NaturalKeyOrderService service = new NaturalKeyOrderService(settings, counting, Map.of()).start()) {
      records += send(producer, topic, 1, 30); // more re-sends, across what the dead consumer committed
      producer.send(order(topic, 5, 999_999)).get(30, TimeUnit.SECONDS); // a re-send with other content
      records++;
      records += send(producer, topic, 61, 70); // and new orders
      int total = records;
      await().atMost(Duration.ofSeconds(180)).untilAsserted(() ->
          assertThat(committed(group, topic)).isEqualTo(total));
    }

    assertThat(handled).as("the records of the dead consumer's committed batch never reached a handler again")
        .hasValue(records - firstBatch);
    assertThat(orders(topic)).as("one row per order").isEqualTo(70);
    assertThat(db.queryLong("SELECT count(DISTINCT order_id) FROM orders WHERE order_id LIKE 'o-" + topic + "-%'"))
        .isEqualTo(70);
    long expected = 100L * 70 * 71 / 2;
    assertThat(db.queryLong("SELECT sum(amount_cents) FROM orders WHERE order_id LIKE 'o-" + topic + "-%'"))
        .isEqualTo(expected);
    assertThat(db.queryLong("SELECT amount_cents FROM orders WHERE order_id = 'o-" + topic + "-5'"))
        .as("a re-send with other content is dropped: the first write wins").isEqualTo(500);
    assertThat(db.queryLong("SELECT sum(total_cents) FROM customer_totals WHERE customer_id LIKE '" + topic + "-%'"))
        .as("the derived totals counted each order once").isEqualTo(expected);
    assertThat(db.queryLong("SELECT count(*) FROM kafka_dedup.claims")).as("no claim row").isZero();
  }

  private static String text(String sql) throws java.sql.SQLException {
    try (var c = db.dataSource().getConnection(); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long orders(String topic) {
    return db.queryLong("SELECT count(*) FROM orders WHERE order_id LIKE 'o-" + topic + "-%'");
  }

  private static long storedOffsets(String topic) {
    return db.queryLong("SELECT coalesce(sum(greatest(next_offset, 0)), 0) FROM kafka_dedup.consumer_offsets WHERE topic = '"
        + topic + "'");
  }

  /** Offsets the group committed to Kafka, summed over the topic's partitions. */
  private static long committed(String group, String topic) throws Exception {
    return kafka.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
        .entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .mapToLong(e -> e.getValue().offset())
        .sum();
  }
}
