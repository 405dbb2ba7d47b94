package io.github.kafkadedup.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.testsupport.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chain Kafka -> PostgreSQL -> Kafka -> PostgreSQL: service A (a child JVM with its relay) consumes
 * {@code orders}, writes and sends {@code payments} through the outbox; service B consumes {@code payments}
 * with kafka-dedup and writes. A is SIGKILLed at random points and restarted: every payment effect is in B
 * exactly once and in order per key. Size: {@code -Doutbox.chain.keys} (default 100 keys x 10 events) and
 * {@code -Doutbox.chain.kills} (default 3) for a soak.
 */
class OutboxChainIT {
  static OutboxFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new OutboxFixture("outbox_chain");
    fx.db.execute("CREATE TABLE a_orders (id bigserial PRIMARY KEY, order_key text NOT NULL, seq int NOT NULL)",
        "CREATE TABLE b_payments (id bigserial PRIMARY KEY, order_key text NOT NULL, seq int NOT NULL)");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  private ChildJvm serviceA(String orders, String payments) {
    return ChildJvm.builder(PaymentServiceMain.class).name("service-a")
        .args(fx.kafka.bootstrapServers(), fx.db.jdbcUrl(), fx.db.user(), fx.db.password(), orders, payments)
        .start();
  }

  /** Events 0..perKey-1 of each order key, in order per key, plus about 5 % re-sends of earlier events. */
  private static int publishOrders(String topic, int keys, int perKey, Random random) throws Exception {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(fx.kafka.producerProps())) {
      for (int seq = 0; seq < perKey; seq++) {
        for (int k = 0; k < keys; k++) {
          sent.add(producer.send(order(topic, k, seq)));
          if (seq > 0 && random.nextInt(20) == 0) {
            sent.add(producer.send(order(topic, k, random.nextInt(seq)))); // an upstream re-send
          }
        }
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) {
        f.get();
      }
    }
    return keys * perKey;
  }

  private static ProducerRecord<String, String> order(String topic, int key, int seq) {
    ProducerRecord<String, String> r = new ProducerRecord<>(topic, "order-" + key, String.valueOf(seq));
    r.headers().add(KeyStrategy.DEFAULT_HEADER, ("order-" + key + "/" + seq).getBytes(StandardCharsets.UTF_8));
    return r;
  }

  private static DedupConsumer<String, String> serviceB(String payments) {
    Map<String, Object> props = new HashMap<>(fx.kafka.consumerProps("service-b"));
    props.put("max.poll.records", "100");
    return DedupConsumer.builder(props, new StringDeserializer(), new StringDeserializer(), fx.db.dataSource())
        .topics(payments).keyStrategy(KeyStrategy.header()).recoverer(Recoverer.logAndMarkDead())
        .batchHandler((records, tx) -> {
          try (PreparedStatement ps = tx.connection().prepareStatement(
              "INSERT INTO b_payments (order_key, seq) VALUES (?, ?)")) {
            for (var r : records) {
              ps.setString(1, r.key());
              ps.setInt(2, Integer.parseInt(r.value()));
              ps.addBatch();
            }
            ps.executeBatch();
          }
        }).build();
  }

  @Test
  void everyPaymentEffectExactlyOnceInOrderWithServiceAAndItsRelayKilled() throws Exception {
    long seed = System.nanoTime();
    System.out.println("outbox chain seed=" + seed);
    Random random = new Random(seed);
    int keys = Integer.getInteger("outbox.chain.keys", 100);
    String orders = fx.kafka.createTopic("orders", 3);
    String payments = fx.kafka.createTopic("payments", 3);
    int events = publishOrders(orders, keys, 10, random);
    DedupConsumer<String, String> b = serviceB(payments);
    Thread bThread = new Thread(b::run, "service-b");
    bThread.start();
    try {
      int kills = Integer.getInteger("outbox.chain.kills", 3);
      for (int k = 0; k < kills; k++) {
        ChildJvm a = serviceA(orders, payments);
        long target = (long) events * (k + 1) / (kills + 1) + random.nextInt(Math.max(1, events / 10));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(random.nextInt(20) + 5))
            .until(() -> fx.db.queryLong("SELECT count(*) FROM a_orders") >= target);
        a.kill();
        a.close();
      }
      try (ChildJvm last = serviceA(orders, payments)) {
        await().atMost(Duration.ofSeconds(120)).until(() ->
            fx.db.queryLong("SELECT count(DISTINCT (order_key, seq)) FROM b_payments") == events);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
            fx.db.queryLong("SELECT count(*) FROM b_payments") == events);
      }
    } finally {
      b.close();
      bThread.join(10_000);
    }
    assertThat(fx.db.queryLong("SELECT count(*) FROM a_orders")).as("A: each order event once").isEqualTo(events);
    assertThat(fx.db.queryLong("SELECT count(*) FROM b_payments")).as("B: each payment once").isEqualTo(events);
    assertOrderPerKey();
  }

  /** B applied each key's payments in the order of the order events. */
  private static void assertOrderPerKey() throws Exception {
    Map<String, List<Integer>> perKey = new HashMap<>();
    try (Connection c = fx.db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT order_key, seq FROM b_payments ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        perKey.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getInt(2));
      }
    }
    perKey.forEach((key, seqs) -> assertThat(seqs).as("payments of %s in B", key).isSorted());
  }
}
