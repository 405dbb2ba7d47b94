package io.github.kafkadedup.outbox;

import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.outbox.internal.OutboxKeys;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestKafka;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A migrated database and the broker, relays that are closed with the fixture, and readers. */
final class OutboxFixture implements AutoCloseable {
  final TestDatabase db;
  final TestKafka kafka = TestKafka.get();
  final Outbox<String, String> outbox = Outbox.builder(new StringSerializer(), new StringSerializer()).build();
  private final List<OutboxRelay> relays = new ArrayList<>();

  OutboxFixture(String name) {
    db = TestPostgres.get().createDatabase(name);
    DedupMigrations.migrate(db.dataSource());
  }

  IdempotentProducerConfig producer() {
    return IdempotentProducerConfig.builder().bootstrapServers(kafka.bootstrapServers())
        .override("linger.ms", 5).build();
  }

  OutboxRelay.Builder relay(String name) {
    return OutboxRelay.builder(db.dataSource(), producer()).name(name).pollInterval(Duration.ofMillis(500))
        .rebalanceInterval(Duration.ofMillis(300)).maxBackoff(Duration.ofSeconds(1));
  }

  OutboxRelay started(OutboxRelay.Builder builder) {
    OutboxRelay relay = builder.build();
    relays.add(relay);
    return relay.start();
  }

  /** Sends {@code count} records in one committed transaction, values "seq" per key as given. */
  void sendCommitted(String topic, List<String[]> keyAndValue) throws Exception {
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      for (String[] kv : keyAndValue) {
        outbox.send(c, topic, kv[0], kv[1]);
      }
      c.commit();
    }
  }

  long outboxRows() {
    return db.queryLong("SELECT count(*) FROM outbox");
  }

  /** Reads the topic from the beginning until {@code expected} records or {@code timeout}, then 500 ms more. */
  List<ConsumerRecord<String, String>> read(String topic, int expected, Duration timeout) {
    Map<String, Object> props = new HashMap<>(kafka.consumerProps("reader-" + UUID.randomUUID()));
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      consumer.poll(Duration.ofMillis(500)).forEach(out::add);
    }
    return out;
  }

  static String idempotencyKey(ConsumerRecord<?, ?> record) {
    Header h = record.headers().lastHeader(Outbox.IDEMPOTENCY_KEY_HEADER);
    return h == null ? "none" : new String(h.value(), StandardCharsets.US_ASCII);
  }

  static String derived(String scope, String origin, int position) {
    return OutboxKeys.derived(scope, origin, position).toString();
  }

  /** Stops the relays started so far (each test starts its own: a running relay would take its rows). */
  void closeRelays() {
    relays.forEach(OutboxRelay::close);
    relays.clear();
  }

  @Override
  public void close() {
    closeRelays();
    db.close();
  }
}
