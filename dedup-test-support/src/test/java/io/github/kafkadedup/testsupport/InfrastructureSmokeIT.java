package io.github.kafkadedup.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Proves the wiring: 1,000 records through the real broker into the real PostgreSQL. */
class InfrastructureSmokeIT {
  static TestDatabase db;

  @BeforeAll
  static void setUp() {
    db = TestPostgres.get().createDatabase("smoke");
    db.execute("CREATE TABLE smoke (k text PRIMARY KEY, v text NOT NULL, p int NOT NULL, o bigint NOT NULL)");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void thousandRecordsFromKafkaEndUpInPostgres() throws Exception {
    TestKafka kafka = TestKafka.get();
    String topic = kafka.createTopic("smoke", 3);
    try (var producer = new KafkaProducer<String, String>(kafka.producerProps())) {
      for (int i = 0; i < 1000; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
      }
      producer.flush();
    }

    int consumed = 0;
    try (var consumer = new KafkaConsumer<String, String>(kafka.consumerProps("smoke-group"));
        Connection c = db.dataSource().getConnection();
        PreparedStatement insert = c.prepareStatement("INSERT INTO smoke VALUES (?, ?, ?, ?)")) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (consumed < 1000 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          insert.setString(1, r.key());
          insert.setString(2, r.value());
          insert.setInt(3, r.partition());
          insert.setLong(4, r.offset());
          insert.addBatch();
          consumed++;
        }
        insert.executeBatch();
        consumer.commitSync();
      }
    }

    assertThat(consumed).isEqualTo(1000);
    assertThat(db.queryLong("SELECT count(*) FROM smoke")).isEqualTo(1000);
    assertThat(db.queryLong("SELECT count(DISTINCT p) FROM smoke")).isEqualTo(3);
  }
}
