package io.github.kafkadedup.consumer;

import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestKafka;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One migrated database with an {@code orders} business table, and the real broker, for a test class.
 * The business table has no unique constraint on purpose: a duplicate effect shows as a second row.
 */
public final class EngineFixture implements AutoCloseable {
  public final TestDatabase db;
  public final TestKafka kafka = TestKafka.get();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  public EngineFixture(String name) {
    db = TestPostgres.get().createDatabase(name);
    DedupMigrations.migrate(db.dataSource());
    db.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, order_key text NOT NULL, payload text, "
        + "topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL)");
  }

  /** The handler every test uses: one business row per applied record. */
  public static RecordHandler<String, String> insertOrder() {
    BatchHandler<String, String> batch = insertOrders();
    return (record, tx) -> batch.handle(List.of(record), tx);
  }

  /** The batch variant: one JDBC batch of business rows per applied batch. */
  static BatchHandler<String, String> insertOrders() {
    return (records, tx) -> {
      try (PreparedStatement ps = tx.connection().prepareStatement(
          "INSERT INTO orders (order_key, payload, topic, kafka_partition, kafka_offset) VALUES (?, ?, ?, ?, ?)")) {
        for (var r : records) {
          ps.setString(1, r.key());
          ps.setString(2, r.value());
          ps.setString(3, r.topic());
          ps.setInt(4, r.partition());
          ps.setLong(5, r.offset());
          ps.addBatch();
        }
        ps.executeBatch();
      }
    };
  }

  /** A producer (String) that the fixture closes. */
  public KafkaProducer<String, String> producer() {
    KafkaProducer<String, String> p = new KafkaProducer<>(kafka.producerProps());
    closeables.add(p);
    return p;
  }

  /** A byte[] producer that the fixture closes. */
  Producer<byte[], byte[]> bytesProducer() {
    KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(kafka.bytesProducerProps());
    closeables.add(p);
    return p;
  }

  /** A dead-letter recoverer publishing to {@code <topic>.DLT}. */
  public Recoverer<String, String> dlt() {
    return Recoverer.deadLetterTopic(bytesProducer(), new StringSerializer(), new StringSerializer());
  }

  /** Sends {@code value} keyed {@code key} with an idempotency-key header (null for none), and waits. */
  static void send(Producer<String, String> producer, String topic, String key, String value,
      String idempotencyKey) {
    ProducerRecord<String, String> r = new ProducerRecord<>(topic, key, value);
    if (idempotencyKey != null) {
      r.headers().add(KeyStrategy.DEFAULT_HEADER, idempotencyKey.getBytes(StandardCharsets.UTF_8));
    }
    try {
      producer.send(r).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("send failed", e);
    }
  }

  public long count(String sql) {
    return db.queryLong(sql);
  }

  /** The single text value of {@code sql}. */
  String string(String sql) {
    try (java.sql.Connection c = db.dataSource().getConnection(); var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    } catch (java.sql.SQLException e) {
      throw new AssertionError(sql, e);
    }
  }

  /** A started outbox relay (all lanes) on this database; close it, or the fixture does. */
  io.github.kafkadedup.outbox.OutboxRelay relay(String name, io.github.kafkadedup.outbox.OutboxMetrics metrics) {
    var relay = io.github.kafkadedup.outbox.OutboxRelay.builder(db.dataSource(),
            io.github.kafkadedup.producer.IdempotentProducerConfig.builder().bootstrapServers(kafka.bootstrapServers())
                .build())
        .name(name).pollInterval(java.time.Duration.ofMillis(500)).rebalanceInterval(java.time.Duration.ofMillis(300))
        .maxBackoff(java.time.Duration.ofSeconds(1)).metrics(metrics).build();
    closeables.add(relay);
    return relay.start();
  }

  /** Reads a whole topic from the beginning (e.g. a DLT) until {@code expected} records or 30 s. */
  List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
    return kafka.readAll(topic, expected);
  }

  /** Starts a consumer on a platform thread; the fixture closes it. */
  public <K, V> DedupConsumer<K, V> start(DedupConsumer<K, V> consumer) {
    Thread.ofPlatform().name("dedup-" + consumer.scope()).start(consumer::run);
    closeables.add(consumer);
    return consumer;
  }

  @Override
  public void close() {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception ignored) {
        // best effort
      }
    }
    db.close();
  }
}
