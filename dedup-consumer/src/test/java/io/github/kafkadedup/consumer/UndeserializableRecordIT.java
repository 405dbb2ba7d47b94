package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

  private static String header(ConsumerRecord<?, ?> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
