package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Consumers of one group joining and leaving mid-stream: 50,000 messages, 10% re-sent, each applied once. */
class RebalanceIT {
  static EngineFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("rebalance");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  private DedupConsumer<String, String> member(String topic, String group) {
    Map<String, Object> props = fx.kafka.consumerProps(group);
    props.put("max.poll.records", "250");
    props.put("session.timeout.ms", "6000");
    props.put("heartbeat.interval.ms", "1000");
    props.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    return fx.start(DedupConsumer.builder(props, new StringDeserializer(), new StringDeserializer(), fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).batchHandler(EngineFixture.insertOrders()).recoverer(fx.dlt()).build());
  }

  @Test
  void joinAndLeaveMidStreamAppliesEveryMessageOnce() {
    long seed = 42;
    Random random = new Random(seed);
    String topic = fx.kafka.createTopic("rebalance", 6);
    int unique = 50_000;
    int resends = 0;
    var producer = fx.producer();
    for (int i = 0; i < unique; i++) {
      producer.send(order(topic, i, "v" + i));
      if (i > 0 && random.nextInt(10) == 0) {
        int j = random.nextInt(i);
        producer.send(order(topic, j, "resend-" + j));
        resends++;
      }
    }
    producer.flush();
    System.out.printf("rebalance: %d unique, %d re-sends, seed %d%n", unique, resends, seed);

    String sql = "SELECT count(*) FROM orders WHERE topic = '" + topic + "'";
    DedupConsumer<String, String> a = member(topic, "g-rebalance");
    member(topic, "g-rebalance");
    await().atMost(Duration.ofSeconds(60)).until(() -> fx.count(sql) >= unique / 4);
    member(topic, "g-rebalance"); // a third joins
    await().atMost(Duration.ofSeconds(60)).until(() -> fx.count(sql) >= unique / 2);
    a.close(); // one leaves
    await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
        assertThat(fx.count("SELECT count(DISTINCT order_key) FROM orders WHERE topic = '" + topic + "'"))
            .isEqualTo(unique));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(fx.count(sql)).as("nothing doubled").isEqualTo(unique));
    assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "' AND payload LIKE 'resend-%'"))
        .as("a re-send is never applied: its first occurrence was").isZero();
  }

  private static ProducerRecord<String, String> order(String topic, int n, String value) {
    ProducerRecord<String, String> r = new ProducerRecord<>(topic, "o" + n, value);
    r.headers().add(KeyStrategy.DEFAULT_HEADER, (topic + "-o" + n).getBytes(StandardCharsets.UTF_8));
    return r;
  }
}
