package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.consumer.KeyStrategy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;

/**
 * Issue 23 for Spring listeners: every consumer thread of a decorated container writes its own row in
 * {@code dedup_heartbeats} (what {@code kafka-dedup status} shows): a concurrent container of two threads on a
 * two-partition topic shows two instances, with their progress after records, a {@code seen_at} that idle
 * polls keep refreshing, and both marked stopped when the container stops. A real broker and PostgreSQL.
 */
class HeartbeatSpringIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void eachConsumerThreadWritesItsHeartbeatRefreshesItWhenIdleAndMarksItStopped() throws Exception {
    try (SpringFixture f = new SpringFixture("spring-heartbeat")) {
      String topic = f.kafka.createTopic("spring-heartbeat-2p", 2);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(f.kafka.producerProps())) {
        for (int i = 0; i < 4; i++) {
          ProducerRecord<String, String> r = new ProducerRecord<>(topic, i % 2, "r" + i, "v" + i);
          r.headers().add(KeyStrategy.DEFAULT_HEADER, ("k" + i).getBytes(StandardCharsets.UTF_8));
          producer.send(r).get(30, TimeUnit.SECONDS);
        }
      }
      ConfigurableApplicationContext app = f.start(HeartbeatApp.class, "heartbeat.topic=" + topic,
          "spring.kafka.listener.concurrency=2", "dedup.listener.heartbeat-interval=1s");
      String rows = "FROM dedup_heartbeats WHERE scope = '" + f.group + "'";
      // which thread takes which records depends on when each joins the group (the first may take both
      // partitions, and all four records, before the second joins): each thread has its row, the rows count
      // the four records between them, and a thread that processed some has its progress
      String dump = "SELECT string_agg(instance || ' member=' || coalesce(member_id, '-') || ' group='"
          + " || coalesce(group_id, '-') || ' records=' || records || ' progress=' || coalesce(progress_at::text,"
          + " '-'), '; ') " + rows;
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(4);
        assertThat(f.count("SELECT count(DISTINCT instance) " + rows + " AND member_id IS NOT NULL AND group_id = '"
            + f.group + "'")).as("one row per consumer thread: %s", f.string(dump)).isEqualTo(2);
        assertThat(f.count("SELECT coalesce(sum(records), 0) " + rows)).as("the records between them: %s",
            f.string(dump)).isEqualTo(4);
        assertThat(f.count("SELECT count(*) " + rows + " AND records > 0 AND progress_at IS NULL"))
            .as("progress where records were processed: %s", f.string(dump)).isZero();
      });
      assertThat(f.count("SELECT count(*) " + rows + " AND seen_at > now() - interval '30 seconds' "
          + "AND stopped_at IS NULL")).isEqualTo(2);

      long seen = f.count("SELECT extract(epoch FROM max(seen_at)) * 1000 " + rows);
      await().atMost(WAIT).untilAsserted(() -> assertThat(f.count("SELECT extract(epoch FROM min(seen_at)) * 1000 "
          + rows)).as("idle threads refresh seen_at").isGreaterThan(seen));
      assertThat(f.count("SELECT sum(records) " + rows)).isEqualTo(4);

      app.getBean(KafkaListenerEndpointRegistry.class).stop();
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(f.count("SELECT count(*) " + rows + " AND stopped_at IS NOT NULL")).isEqualTo(2));
      assertThat(f.count("SELECT count(*) " + rows)).as("no other rows").isEqualTo(2);
    }
  }

  /** A record listener on the two-partition topic. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class HeartbeatApp {
    @Bean
    Orders orders(JdbcTemplate jdbc) {
      return new Orders(jdbc);
    }
  }

  /** Writes one row per record. */
  static class Orders {
    private final JdbcTemplate jdbc;

    Orders(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    @KafkaListener(topics = "${heartbeat.topic}", groupId = "${test.group}")
    public void onOrder(ConsumerRecord<String, String> record) {
      jdbc.update("INSERT INTO orders (order_key, payload, kafka_offset) VALUES (?, ?, ?)", record.key(),
          record.value(), record.offset());
    }
  }
}
