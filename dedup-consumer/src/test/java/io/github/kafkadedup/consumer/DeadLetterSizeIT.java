package io.github.kafkadedup.consumer;
import io.github.kafkadedup.testsupport.LogCapture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

/**
 * Issue 16, defect 4: a record whose dead-letter copy can never be sent (a 1.5 MB header, the dead-letter
 * producer at Kafka's default max.request.size of 1 MB) used to fail with RecordTooLargeException on every
 * retry, logging a stack trace every 10 s while the rest of its partition waited.
 */
class DeadLetterSizeIT {
  static EngineFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("dead-letter-size");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  @Test
  void aRecordTooLargeForTheDeadLetterProducerGetsAReducedCopyAndThePartitionMovesOn() throws Exception {
    String topic = "huge-header-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    fx.kafka.createTopic(topic, 1, Map.of("max.message.bytes", "3000000"));
    fx.kafka.createTopic(topic + ".DLT", 1, Map.of());
    Map<String, Object> big = new HashMap<>(fx.kafka.producerProps());
    big.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 3_000_000);
    try (Producer<String, String> producer = new KafkaProducer<>(big)) {
      ProducerRecord<String, String> huge = new ProducerRecord<>(topic, "order-0", "v0"); // no key: MISSING_KEY
      huge.headers().add("blob", new byte[1_500_000]);
      huge.headers().add("trace-id", "t0".getBytes(StandardCharsets.UTF_8));
      producer.send(huge).get(30, TimeUnit.SECONDS);
      for (int i = 1; i <= 5; i++) {
        EngineFixture.send(producer, topic, "order-" + i, "v" + i, "size-key-" + i);
      }
    }
    CountingMetrics metrics = new CountingMetrics();
    Producer<byte[], byte[]> defaultSized = fx.bytesProducer(); // Kafka's default max.request.size
    try (LogCapture log = new LogCapture(Recoverer.class.getName())) {
      fx.start(DedupConsumer.builder(fx.kafka.consumerProps("g-" + topic), new StringDeserializer(),
              new StringDeserializer(), fx.db.dataSource())
          .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(EngineFixture.insertOrder())
          .recoverer(Recoverer.deadLetterTopic(defaultSized, new StringSerializer(), new StringSerializer()))
          .config(DedupConfig.builder().metrics(metrics).build()).build());

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "'")).as("not blocked")
              .isEqualTo(5));
      List<ConsumerRecord<String, String>> dead = fx.readAll(topic + ".DLT", 1);
      assertThat(dead).hasSize(1);
      ConsumerRecord<String, String> d = dead.get(0);
      assertThat(d.value()).isNull();
      assertThat(d.key()).isEqualTo("order-0");
      assertThat(d.headers().lastHeader("blob")).as("the oversized header is dropped").isNull();
      assertThat(header(d, "trace-id")).isEqualTo("t0");
      assertThat(header(d, "dedup-dlt-kind")).isEqualTo("MISSING_KEY");
      assertThat(header(d, "dedup-dlt-original-topic")).isEqualTo(topic);
      assertThat(header(d, "dedup-dlt-original-offset")).isEqualTo("0");
      assertThat(header(d, "dedup-dlt-reduced")).startsWith("RecordTooLargeException");
      assertThat(header(d, "dedup-dlt-original-value-bytes")).isEqualTo("2");
      assertThat(Long.parseLong(header(d, "dedup-dlt-original-headers-bytes"))).isGreaterThan(1_500_000);
      assertThat(metrics.get("reduced.RecordTooLargeException")).isEqualTo(1);
      assertThat(metrics.get("dead." + DedupException.Kind.MISSING_KEY)).isEqualTo(1);
      assertThat(log.count("WARN", "can never be sent")).as("one WARN for the record").isEqualTo(1);
    }
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
