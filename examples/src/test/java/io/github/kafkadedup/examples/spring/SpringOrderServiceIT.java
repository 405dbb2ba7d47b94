package io.github.kafkadedup.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.examples.plain.OrderPlaced;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestKafka;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The Spring Boot service against the real broker and PostgreSQL, with the {@code application.yml} it ships
 * (only the servers, the topic and the group are replaced).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SpringOrderServiceIT {
  static final TestKafka kafka = TestKafka.get();
  static final TestDatabase db = TestPostgres.get().createDatabase("spring_order_service");
  static final String topic = kafka.createTopic("spring-orders", 3);
  static final String group = "spring-orders-" + topic;

  @LocalServerPort
  int port;

  @Autowired
  JdbcTemplate jdbc;

  @DynamicPropertySource
  static void infrastructure(DynamicPropertyRegistry registry) {
    kafka.createTopic(topic + "-dlt", 3, Map.of()); // Spring Kafka's dead letters keep the partition number
    registry.add("spring.datasource.url", db::jdbcUrl);
    registry.add("spring.datasource.username", db::user);
    registry.add("spring.datasource.password", db::password);
    registry.add("spring.kafka.bootstrap-servers", kafka::bootstrapServers);
    registry.add("spring.kafka.consumer.group-id", () -> group);
    registry.add("dedup.scope", () -> group);
    registry.add("orders.topic", () -> topic);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void eachOrderIsAppliedOnceResendsAreDroppedAndCountedAndAMalformedOrderIsDeadLettered() throws Exception {
    List<ProducerRecord<String, String>> orders = new ArrayList<>();
    for (int n = 1; n <= 50; n++) {
      String customer = "customer-" + n % 5;
      orders.add(new ProducerRecord<>(topic, customer, new OrderPlaced("s-" + n, customer, 100L * n).toText()));
    }
    try (Producer<String, String> producer = new KafkaProducer<>(IdempotentProducerConfig.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .keySerializer(StringSerializer.class)
        .valueSerializer(StringSerializer.class)
        .build()
        .toMap())) {
      send(producer, orders);
      send(producer, orders.subList(0, 12)); // application re-sends: the same records keep their idempotency keys
      send(producer, List.of(new ProducerRecord<>(topic, "customer-1", "not an order")));
    }

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(metric("kafka.dedup.duplicates", "cause:resend")).isEqualTo(12));
    assertThat(jdbc.queryForObject("SELECT count(*) FROM orders", Long.class)).isEqualTo(50);
    assertThat(jdbc.queryForObject("SELECT sum(total_cents) FROM customer_totals", Long.class))
        .isEqualTo(100L * 50 * 51 / 2);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM kafka_dedup.claims c JOIN kafka_dedup.dedup_scopes s USING (scope_id)"
        + " WHERE s.scope = ? AND c.status = 'P'", Long.class,
        group)).as("keys claimed, in the schema of dedup.table.schema").isEqualTo(50);
    // the malformed order is the last record sent: the error handler retries it (BackOff) before its recoverer
    // publishes it and its D claim is written, after the re-sends above were counted
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(jdbc.queryForObject(
        "SELECT count(*) FROM kafka_dedup.claims c JOIN kafka_dedup.dedup_scopes s USING (scope_id)"
            + " WHERE s.scope = ? AND c.status = 'D'", Long.class, group))
        .as("the malformed order's key, dead-lettered as in the engine").isEqualTo(1));
    assertThat(jdbc.queryForObject("SELECT count(*) FROM flyway_schema_history WHERE success", Long.class))
        .as("the application's own Flyway history").isEqualTo(1);
    assertThat(metric("kafka.dedup.records.processed", null)).isEqualTo(50);

    List<ConsumerRecord<String, String>> dead = kafka.readAll(topic + "-dlt", 1);
    assertThat(dead).singleElement().extracting(ConsumerRecord::value).isEqualTo("not an order");
  }

  private static void send(Producer<String, String> producer, List<ProducerRecord<String, String>> records)
      throws Exception {
    for (ProducerRecord<String, String> r : records) {
      producer.send(r).get(30, TimeUnit.SECONDS);
    }
  }

  /** The COUNT of a meter from the actuator endpoint, or -1 while it does not exist yet. */
  private double metric(String name, String tag) throws Exception {
    String url = "http://localhost:" + port + "/actuator/metrics/" + name + (tag == null ? "" : "?tag=" + tag);
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 404) {
        return -1;
      }
      assertThat(response.statusCode()).as(url).isEqualTo(200);
      Matcher m = Pattern.compile("\"statistic\"\\s*:\\s*\"COUNT\"\\s*,\\s*\"value\"\\s*:\\s*([0-9.E]+)")
          .matcher(response.body());
      assertThat(m.find()).as("a COUNT in " + response.body()).isTrue();
      return Double.parseDouble(m.group(1));
    }
  }
}
