package io.github.kafkadedup.examples.plain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.producer.IdempotentProducerConfig;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestKafka;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The plain order service against the real broker and PostgreSQL. */
class OrderServiceIT {
  static final TestKafka kafka = TestKafka.get();
  static TestDatabase db;

  @BeforeAll
  static void database() {
    db = TestPostgres.get().createDatabase("plain_order_service");
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private OrderService.Settings settings(String topic, String group) {
    return new OrderService.Settings(kafka.bootstrapServers(), db.jdbcUrl(), db.user(), db.password(), topic, group);
  }

  private static Producer<String, String> producer() {
    return new KafkaProducer<>(IdempotentProducerConfig.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .keySerializer(StringSerializer.class)
        .valueSerializer(StringSerializer.class)
        .build()
        .toMap());
  }

  private static ProducerRecord<String, String> order(String topic, int n, String customer) {
    return new ProducerRecord<>(topic, customer, new OrderPlaced("o-" + topic + "-" + n, customer, 100L * n).toText());
  }

  private static void sendAll(Producer<String, String> producer, List<ProducerRecord<String, String>> records)
      throws Exception {
    for (ProducerRecord<String, String> r : records) {
      producer.send(r).get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void appliesEachOrderOnceSkipsResendsAndDeadLettersAMalformedRecord() throws Exception {
    String topic = kafka.createTopic("orders", 3);
    kafka.createTopic(topic + ".DLT", 1, Map.of());
    List<ProducerRecord<String, String>> orders = new ArrayList<>();
    for (int n = 1; n <= 60; n++) {
      orders.add(order(topic, n, topic + "-customer-" + n % 4));
    }
    try (Producer<String, String> producer = producer();
        OrderService service = new OrderService(settings(topic, "orders-" + topic)).start()) {
      sendAll(producer, orders);
      sendAll(producer, orders.subList(0, 15)); // the application re-sends: same records, same idempotency keys
      sendAll(producer, List.of(new ProducerRecord<>(topic, topic + "-customer-1", "not an order")));
      sendAll(producer, List.of(order(topic, 61, topic + "-customer-1"))); // processing goes on after the bad record

      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(db.queryLong("SELECT count(*) FROM orders WHERE order_id LIKE 'o-" + topic + "-%'"))
              .isEqualTo(61));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(committed("orders-" + topic, topic)).isEqualTo(77));
    }
    long expectedTotal = 100L * 61 * 62 / 2;
    assertThat(db.queryLong("SELECT sum(total_cents) FROM customer_totals WHERE customer_id LIKE '" + topic + "-%'"))
        .isEqualTo(expectedTotal);
    assertThat(db.queryLong("SELECT count(*) FROM kafka_dedup.claims c JOIN kafka_dedup.dedup_scopes s USING (scope_id)"
        + " WHERE c.status = 'P' AND s.scope = 'orders-" + topic + "'"))
        .isEqualTo(61);
    assertThat(db.queryLong("SELECT count(*) FROM kafka_dedup.claims c JOIN kafka_dedup.dedup_scopes s USING (scope_id)"
        + " WHERE c.status = 'D' AND s.scope = 'orders-" + topic + "'"))
        .as("the malformed record's key is recorded as dead-lettered").isEqualTo(1);

    List<ConsumerRecord<String, String>> dead = kafka.readAll(topic + ".DLT", 1);
    assertThat(dead).singleElement().satisfies(r -> {
      assertThat(r.value()).isEqualTo("not an order");
      assertThat(new String(r.headers().lastHeader("dedup-dlt-original-topic").value(), StandardCharsets.UTF_8))
          .isEqualTo(topic);
    });
  }

  @Test
  void replayingTheTopicFromTheBeginningAppliesNothingTwice() throws Exception {
    String topic = kafka.createTopic("orders-replay", 2);
    kafka.createTopic(topic + ".DLT", 1, Map.of());
    String group = "orders-" + topic;
    List<ProducerRecord<String, String>> orders = new ArrayList<>();
    for (int n = 1; n <= 40; n++) {
      orders.add(order(topic, n, "replay-customer"));
    }
    try (Producer<String, String> producer = producer()) {
      sendAll(producer, orders);
    }
    try (OrderService first = new OrderService(settings(topic, group)).start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> committed(group, topic) == 40);
    }

    // an operator rewinds the group to the beginning (a replay after an incident, say)
    Map<TopicPartition, OffsetAndMetadata> rewind = Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0),
        new TopicPartition(topic, 1), new OffsetAndMetadata(0));
    kafka.admin().alterConsumerGroupOffsets(group, rewind).all().get(30, TimeUnit.SECONDS);
    assertThat(committed(group, topic)).isZero();

    try (OrderService second = new OrderService(settings(topic, group)).start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> committed(group, topic) == 40);
    }
    assertThat(db.queryLong("SELECT count(*) FROM orders WHERE order_id LIKE 'o-" + topic + "-%'")).isEqualTo(40);
    assertThat(db.queryLong("SELECT total_cents FROM customer_totals WHERE customer_id = 'replay-customer'"))
        .isEqualTo(100L * 40 * 41 / 2);
  }

  /** Offsets the group committed, summed over the topic's partitions. */
  private static long committed(String group, String topic) throws Exception {
    return kafka.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
        .entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .mapToLong(e -> e.getValue().offset())
        .sum();
  }
}
