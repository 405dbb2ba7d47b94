package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestKafka;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One migrated database with an {@code orders} table (no unique constraint: a duplicate effect shows as a
 * second row), a topic with its {@code -dlt} topic on the real broker, and Spring Boot applications started
 * against both.
 */
final class SpringFixture implements AutoCloseable {
  final TestDatabase db;
  final TestKafka kafka = TestKafka.get();
  final String topic;
  final String group;
  private final KafkaProducer<String, String> producer;
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
  private String jdbcUrl;

  SpringFixture(String name) {
    this(name, true);
  }

  /** @param migrate whether to migrate the library's tables into schema public now */
  SpringFixture(String name, boolean migrate) {
    db = TestPostgres.get().createDatabase(name);
    if (migrate) {
      DedupMigrations.migrate(db.dataSource());
    }
    db.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, order_key text, payload text NOT NULL, "
        + "kafka_offset bigint NOT NULL)");
    topic = kafka.createTopic(name, 1);
    kafka.createTopic(topic + "-dlt", 1, Map.of());
    group = "group-" + topic;
    jdbcUrl = db.jdbcUrl();
    producer = new KafkaProducer<>(kafka.producerProps());
  }

  /** Points the applications started from now on at the database through {@code proxy}. */
  void via(io.github.kafkadedup.testsupport.PgFaultProxy proxy) {
    jdbcUrl = proxy.jdbcUrl(db.jdbcUrl());
  }

  /** Starts {@code app} with the database, the broker, the topic and group, and {@code properties}. */
  ConfigurableApplicationContext start(Class<?> app, String... properties) {
    List<String> all = new ArrayList<>(List.of(
        "spring.datasource.url=" + jdbcUrl,
        "spring.datasource.username=" + db.user(),
        "spring.datasource.password=" + db.password(),
        "spring.datasource.hikari.maximum-pool-size=4",
        "spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
        "spring.kafka.consumer.auto-offset-reset=earliest",
        "spring.kafka.consumer.properties.isolation.level=read_committed",
        "spring.main.banner-mode=off",
        "test.topic=" + topic,
        "test.group=" + group));
    all.addAll(List.of(properties));
    ConfigurableApplicationContext context = new SpringApplicationBuilder(app)
        .web(org.springframework.boot.WebApplicationType.NONE)
        .properties(all.toArray(String[]::new))
        .run();
    contexts.add(context);
    return context;
  }

  /** Sends {@code value} with idempotency key {@code key} (none if null) and waits for the broker. */
  void send(String key, String value) {
    ProducerRecord<String, String> r = new ProducerRecord<>(topic, value, value);
    if (key != null) {
      r.headers().add(KeyStrategy.DEFAULT_HEADER, key.getBytes(StandardCharsets.UTF_8));
    }
    try {
      producer.send(r).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("send failed", e);
    }
  }

  /** Sends {@code value} with record key {@code recordKey} (a sequence) and idempotency key {@code key}. */
  void sendKeyed(String recordKey, String key, String value) {
    ProducerRecord<String, String> r = new ProducerRecord<>(topic, recordKey, value);
    r.headers().add(KeyStrategy.DEFAULT_HEADER, key.getBytes(StandardCharsets.UTF_8));
    try {
      producer.send(r).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("send failed", e);
    }
  }

  /** Sends every {@code [idempotency key, value]} pair, then waits for all of them. */
  void sendAll(List<String[]> keyAndValue) {
    List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
    for (String[] kv : keyAndValue) {
      ProducerRecord<String, String> r = new ProducerRecord<>(topic, kv[1], kv[1]);
      r.headers().add(KeyStrategy.DEFAULT_HEADER, kv[0].getBytes(StandardCharsets.UTF_8));
      sent.add(producer.send(r));
    }
    producer.flush();
    for (var f : sent) {
      try {
        f.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("publishing the test input failed (broker trouble, not the service)", e);
      }
    }
  }

  long count(String sql) {
    return db.queryLong(sql);
  }

  /** The text the query returns. */
  String string(String sql) {
    try (java.sql.Connection c = db.dataSource().getConnection(); var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    } catch (java.sql.SQLException e) {
      throw new AssertionError(sql, e);
    }
  }

  /** The group's committed offset on partition 0, or -1. */
  long committed() {
    try {
      OffsetAndMetadata o = kafka.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS).get(new TopicPartition(topic, 0));
      return o == null ? -1 : o.offset();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Rewinds the (inactive) group to the start of the topic: every record is redelivered. */
  void rewind() {
    try {
      kafka.admin().alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0)))
          .all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Reads the DLT from the beginning until {@code expected} records (or 30 s), plus one short poll. */
  List<ConsumerRecord<String, String>> deadLetters(int expected) {
    return kafka.readAll(topic + "-dlt", expected);
  }

  @Override
  public void close() {
    contexts.forEach(ConfigurableApplicationContext::close);
    producer.close();
    db.close();
  }
}
