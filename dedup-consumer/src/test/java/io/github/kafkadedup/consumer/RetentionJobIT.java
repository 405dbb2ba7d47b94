package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.testsupport.ChildJvm;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The retention job on the real PostgreSQL (and the real broker for the replay horizon). */
class RetentionJobIT {
  static EngineFixture fx;
  static org.apache.kafka.clients.producer.Producer<String, String> producer;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("retention");
    producer = fx.producer();
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  /**
   * {@code rows} keys {@code seed-<i>}, as many for each day of age 0.5, 1.5, ... {@code spreadDays - 0.5},
   * oldest first (as a live table fills up), key {@code seed-<i>} aged {@code (i % spreadDays) + 0.5} days.
   */
  private static void seed(String scope, int rows, int spreadDays) {
    seed("processed_messages", scope, rows, spreadDays);
  }

  private static void seed(String table, String scope, int rows, int spreadDays) {
    fx.db.execute("INSERT INTO " + table + " (scope, message_key, topic, kafka_partition, kafka_offset, "
        + "processed_at) SELECT '" + scope + "', 'seed-' || i, 'seeded', 0, i, now() - (i % " + spreadDays
        + ") * interval '1 day' - interval '12 hours' FROM generate_series(0, " + (rows - 1) + ") AS i "
        + "ORDER BY i % " + spreadDays + " DESC, i");
  }

  private static long keys(String scope, String where) {
    return fx.count("SELECT count(*) FROM processed_messages WHERE scope = '" + scope + "' AND " + where);
  }

  private static void send(String topic, String recordKey, String value, String idempotencyKey) {
    ProducerRecord<String, String> r = new ProducerRecord<>(topic, recordKey, value);
    r.headers().add(KeyStrategy.DEFAULT_HEADER, idempotencyKey.getBytes(StandardCharsets.UTF_8));
    producer.send(r);
  }

  private static long orders(String topic, String where) {
    return fx.count("SELECT count(*) FROM orders WHERE topic = '" + topic + "' AND " + where);
  }

  /** Counts failures and duplicates reported by the consumer. */
  private static final class Counts implements DedupMetrics {
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger resends = new AtomicInteger();
    final AtomicInteger deadLettered = new AtomicInteger();
    final AtomicInteger processed = new AtomicInteger();

    @Override
    public void processed(String scope, int count) {
      processed.addAndGet(count);
    }

    @Override
    public void failure(String scope, String type) {
      failures.incrementAndGet();
    }

    @Override
    public void duplicates(String scope, DuplicateCause cause, int count) {
      if (cause == DuplicateCause.RESEND) {
        resends.addAndGet(count);
      }
    }

    @Override
    public void deadLettered(String scope, DedupException.Kind kind) {
      deadLettered.incrementAndGet();
    }
  }

  @Test
  void deletesExactlyTheExpiredKeysWhileAConsumerKeepsProcessing() throws Exception {
    String topic = fx.kafka.createTopic("retention-live", 2);
    String scope = "g-" + topic;
    seed(scope, 200_000, 20); // ages 0.5 .. 19.5 days; a 10-day window expires exactly half
    Counts counts = new Counts();
    fx.start(DedupConsumer.builder(fx.kafka.consumerProps(scope), new StringDeserializer(),
            new StringDeserializer(), fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(EngineFixture.insertOrder())
        .recoverer(fx.dlt()).config(DedupConfig.builder().metrics(counts).build()).build());
    send(topic, "warm-up", "warm-up", topic + "-warm-up");
    await().atMost(Duration.ofSeconds(60)).until(() -> orders(topic, "true") == 1);

    CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < 3_000; i++) {
        send(topic, "o" + i, "v" + i, topic + "-live-" + i);
      }
      producer.flush();
    });
    RetentionJob job = RetentionJob.builder(fx.db.dataSource(),
        RetentionConfig.builder().window(Duration.ofDays(10)).batchSize(1_000).scope(scope).build()).build();
    int processedBefore = counts.processed.get();
    RetentionJob.RunResult result = job.runOnce();
    int processedDuring = counts.processed.get() - processedBefore;
    traffic.get();

    assertThat(result.deleted()).isEqualTo(100_000);
    assertThat(result.statements()).isEqualTo(101); // 100 full batches, then one that finds nothing left
    assertThat(processedDuring).as("the consumer committed records while the job deleted").isPositive();
    assertThat(result.skipped()).isNull();
    assertThat(keys(scope, "message_key LIKE 'seed-%'")).isEqualTo(100_000);
    assertThat(keys(scope, "message_key LIKE 'seed-%' AND processed_at < now() - interval '10 days'")).isZero();
    assertThat(Duration.between(result.oldestKey(), Instant.now()))
        .isBetween(Duration.ofDays(9), Duration.ofDays(10));
    await().atMost(Duration.ofSeconds(60)).until(() -> orders(topic, "true") == 3_001);
    assertThat(fx.count("SELECT count(DISTINCT order_key) FROM orders WHERE topic = '" + topic + "'"))
        .isEqualTo(3_001);
    assertThat(counts.failures).as("no failed transaction while the job ran").hasValue(0);
    assertThat(counts.deadLettered).hasValue(0);

    // keys inside the window still deduplicate; an expired key is processed again, as documented
    send(topic, "same-partition", "in-window", "seed-5");
    send(topic, "same-partition", "expired", "seed-15");
    producer.flush();
    await().atMost(Duration.ofSeconds(30)).until(() -> orders(topic, "payload = 'expired'") == 1);
    assertThat(orders(topic, "payload = 'in-window'")).isZero();
    assertThat(counts.resends).hasValue(1);
  }

  @Test
  void keepsTheKeysThatTheTopicsCanStillReplayAndReportsTheHorizon() {
    String topic = "retention-horizon-" + System.nanoTime();
    fx.kafka.createTopic(topic, 1, Map.of("retention.ms", String.valueOf(Duration.ofDays(20).toMillis())));
    Instant fifteenDaysAgo = Instant.now().minus(Duration.ofDays(15));
    producer.send(new ProducerRecord<>(topic, null, fifteenDaysAgo.toEpochMilli(), "k", "old"));
    producer.flush();
    seed("horizon", 40_000, 40); // ages 0.5 .. 39.5 days
    seed("other-scope", 100, 40);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RetentionJob job = RetentionJob.builder(fx.db.dataSource(),
            RetentionConfig.builder().window(Duration.ofDays(10)).scope("horizon").build())
        .topics(fx.kafka.admin(), List.of(topic)).meterRegistry(registry).build();

    RetentionJob.RunResult result = job.runOnce();

    // the 10-day window would delete ages 10.5+; the topic keeps 20 days, so only ages 20.5+ go
    assertThat(result.deleted()).isEqualTo(20_000);
    assertThat(Duration.between(result.cutoff(), Instant.now()))
        .isBetween(Duration.ofDays(20).plusMinutes(59), Duration.ofDays(20).plusMinutes(62));
    assertThat(keys("other-scope", "true")).as("other scopes untouched").isEqualTo(100);
    assertThat(registry.get("kafka.dedup.retention.deleted").counter().count()).isEqualTo(20_000);
    assertThat(registry.get("kafka.dedup.retention.topic.retention").tag("topic", topic).gauge().value())
        .isEqualTo(Duration.ofDays(20).toSeconds());
    assertThat(registry.get("kafka.dedup.retention.oldest.record.age").gauge().value())
        .isCloseTo(Duration.ofDays(15).toSeconds(), within(120.0));
    assertThat(registry.get("kafka.dedup.retention.oldest.key.age").gauge().value())
        .isCloseTo(Duration.ofDays(19).plusHours(12).toSeconds(), within(120.0));
    assertThat(registry.get("kafka.dedup.retention.run").timer().count()).isEqualTo(1);
  }

  @Test
  void aHashPartitionedTableIsPrunedOnePartitionAtATime() {
    // the DDL documented in docs/retention-and-sizing.md
    fx.db.execute("CREATE SCHEMA hashed", "CREATE TABLE hashed.processed_messages (scope text NOT NULL, "
            + "message_key text NOT NULL, topic text NOT NULL, kafka_partition integer NOT NULL, "
            + "kafka_offset bigint NOT NULL, status char(1) NOT NULL DEFAULT 'P', "
            + "processed_at timestamptz NOT NULL DEFAULT now(), "
            + "CONSTRAINT processed_messages_pk PRIMARY KEY (scope, message_key), "
            + "CONSTRAINT processed_messages_status_ck CHECK (status IN ('P', 'D')), "
            + "CONSTRAINT processed_messages_key_len_ck CHECK (octet_length(message_key) <= 512 "
            + "AND octet_length(scope) <= 255)) PARTITION BY HASH (message_key)",
        "DO $$ BEGIN FOR r IN 0..7 LOOP EXECUTE format('CREATE TABLE hashed.processed_messages_h%s PARTITION OF "
            + "hashed.processed_messages FOR VALUES WITH (MODULUS 8, REMAINDER %s) WITH (fillfactor = 100)', r, r); "
            + "END LOOP; END $$",
        "CREATE INDEX processed_messages_at_brin ON hashed.processed_messages USING brin (processed_at)");
    seed("hashed.processed_messages", "hashed", 16_000, 20);
    RetentionJob job = RetentionJob.builder(fx.db.dataSource(), RetentionConfig.builder()
        .window(Duration.ofDays(10)).batchSize(100).schema(DedupSchema.of("hashed")).build()).build();

    RetentionJob.RunResult result = job.runOnce();

    assertThat(result.deleted()).isEqualTo(8_000);
    assertThat(fx.count("SELECT count(*) FROM hashed.processed_messages WHERE processed_at > now() - "
        + "interval '10 days'")).as("a ctid applied to the parent would have hit in-window rows").isEqualTo(8_000);

    DedupProcessor<String, String> processor = DedupProcessor.<String, String>builder(fx.db.dataSource())
        .config(DedupConfig.builder().scope("hashed").schema(DedupSchema.of("hashed")).build())
        .keyStrategy(KeyStrategy.header()).recordHandler(EngineFixture.insertOrder())
        .recoverer(Recoverer.logAndMarkDead()).build();
    BatchResult claims = processor.process(List.of(record("hashed-topic", 0, "seed-5"), record("hashed-topic", 1,
        "seed-15")));
    assertThat(claims.processed()).as("the expired key is fresh again").isEqualTo(1);
    assertThat(claims.resends()).as("the key inside the window still deduplicates").isEqualTo(1);
  }

  private static ConsumerRecord<String, String> record(String topic, long offset, String idempotencyKey) {
    ConsumerRecord<String, String> r = new ConsumerRecord<>(topic, 0, offset, "k", "v");
    r.headers().add(KeyStrategy.DEFAULT_HEADER, idempotencyKey.getBytes(StandardCharsets.UTF_8));
    return r;
  }

  @Test
  void runsWithoutMicrometerOnTheClassPath() {
    seed("no-micrometer", 20, 20);
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String withoutMicrometer = Arrays.stream(classPath.split(File.pathSeparator))
        .filter(entry -> !entry.contains("micrometer")).collect(Collectors.joining(File.pathSeparator));
    assertThat(withoutMicrometer).as("the test class path lists its jars").isNotEqualTo(classPath);
    try (ChildJvm child = ChildJvm.builder(RetentionWithoutMicrometerMain.class).name("retention-no-micrometer")
        .classPath(withoutMicrometer).args(fx.db.jdbcUrl(), fx.db.user(), fx.db.password(), "no-micrometer")
        .start()) {
      assertThat(child.waitFor(Duration.ofSeconds(60))).as(child.tail()).isZero();
      assertThat(child.output()).contains("no micrometer-core", "deleted 10");
    }
  }

  @Test
  void aTopicThatKeepsRecordsForeverStopsDeletion() {
    String topic = "retention-forever-" + System.nanoTime();
    fx.kafka.createTopic(topic, 1, Map.of("retention.ms", "-1"));
    seed("forever", 1_000, 40);
    RetentionJob job = RetentionJob.builder(fx.db.dataSource(),
            RetentionConfig.builder().window(Duration.ofDays(10)).scope("forever").build())
        .topics(fx.kafka.admin(), List.of(topic)).build();

    RetentionJob.RunResult result = job.runOnce();

    assertThat(result.deleted()).isZero();
    assertThat(result.skipped()).contains("keeps records forever (retention.ms=-1)");
    assertThat(keys("forever", "true")).isEqualTo(1_000);
  }
}
