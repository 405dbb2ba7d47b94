package io.github.kafkadedup.retention;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.DuplicateCause;
import io.github.kafkadedup.consumer.EngineFixture;
import io.github.kafkadedup.consumer.KeyStrategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.github.kafkadedup.migrations.DedupMigrations;
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
   * A schema of its own whose generations 1..n started {@code startedDaysAgo[i]} days ago (oldest first; the
   * last is current), each holding {@code perGeneration} keys {@code g<n>-<i>} of {@code scope}.
   */
  private static DedupSchema layout(String name, String scope, int perGeneration, int... startedDaysAgo) {
    DedupSchema schema = DedupSchema.of(name);
    DedupMigrations.migrate(fx.db.dataSource(), schema);
    fx.db.execute("INSERT INTO " + schema.scopes() + " (scope) VALUES ('" + scope + "')",
        "DELETE FROM " + schema.generations());
    for (int g = 1; g <= startedDaysAgo.length; g++) {
      fx.db.execute("INSERT INTO " + schema.generations() + " VALUES (" + g + ", now() - interval '"
              + startedDaysAgo[g - 1] + " days')",
          "SELECT " + schema.function("dedup_prepare_generations") + "(2, 5000)",
          "INSERT INTO " + schema.claims() + " (scope_id, generation, kafka_offset, key_id, kafka_partition) "
              + "SELECT (SELECT scope_id FROM " + schema.scopes() + " WHERE scope = '" + scope + "'), " + g + ", i, "
              + schema.function("dedup_key_id") + "('g" + g + "-' || i), 0 FROM generate_series(0, "
              + (perGeneration - 1) + ") AS i");
    }
    return schema;
  }

  /**
   * Issue 22: the runtime role, set up by the shipped grants script, runs the application's own job; the
   * database's retention rules (migration V6, default minimum window 7 days, replay horizon 7 days 1 hour)
   * hold back a shorter window without failing the run.
   */
  @Test
  void theRuntimeRoleRunsTheJobWithinTheDatabasesRetentionRules() throws Exception {
    DedupSchema schema = layout("retention_as_app", "svc", 100, 20, 10, 2);
    String role = "retention_app_" + System.nanoTime();
    fx.db.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'app'",
        "GRANT USAGE ON SCHEMA " + schema.schema() + " TO " + role);
    String grants;
    try (var in = DedupMigrations.class.getResourceAsStream("/db/kafka-dedup-grants.sql")) {
      grants = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("kafka_dedup_app", role)
          .replace("kafka_dedup.", schema.schema() + ".");
    }
    String code = grants.lines().filter(l -> !l.strip().startsWith("--")).collect(Collectors.joining("\n"));
    fx.db.execute(Arrays.stream(code.split(";")).map(String::strip).filter(x -> !x.isEmpty())
        .toArray(String[]::new));
    try (com.zaxxer.hikari.HikariDataSource app = new com.zaxxer.hikari.HikariDataSource()) {
      app.setJdbcUrl(fx.db.jdbcUrl().replaceAll("[?&](user|password)=[^&]*", ""));
      app.setUsername(role);
      app.setPassword("app");
      app.setMaximumPoolSize(1);
      try (var c = app.getConnection(); var st = c.createStatement(); var rs = st.executeQuery("select current_user")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo(role);
      }
      RetentionJob.RunResult week = RetentionJob.builder(app, RetentionConfig.builder().window(Duration.ofDays(7))
          .generationLength(Duration.ofDays(5)).schema(schema).build()).build().runOnce();
      assertThat(week.generationsDropped()).as("generation 1 ended 10 days ago").isEqualTo(1);
      assertThat(week.deleted()).isEqualTo(100);
      // a forced short window: the database keeps generation 2 (ended 2 days ago); the run does not fail
      RetentionJob.RunResult day = RetentionJob.builder(app, RetentionConfig.builder().window(Duration.ofDays(1))
          .forceShortWindow(true).generationLength(Duration.ofDays(1)).schema(schema).build()).build().runOnce();
      assertThat(day.generationsDropped()).isZero();
      assertThat(day.cutoff()).isBefore(Instant.now().minus(Duration.ofDays(7)));
      assertThat(keys(schema, 2)).isEqualTo(100);
    } finally {
      fx.db.execute("DROP OWNED BY " + role, "DROP ROLE " + role);
    }
  }

  private static long keys(DedupSchema schema, int generation) {
    return fx.count("SELECT count(*) FROM " + schema.claims() + " WHERE generation = " + generation);
  }

  private static boolean partitionExists(DedupSchema schema, int generation) {
    return fx.count("SELECT count(*) FROM pg_class WHERE oid = to_regclass('" + schema.claims() + "_g" + generation
        + "')") == 1;
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
  void dropsExactlyTheExpiredGenerationsAndSwitchesWhileAConsumerKeepsProcessing() throws Exception {
    String topic = fx.kafka.createTopic("retention-live", 2);
    String scope = "g-" + topic;
    // generation 1 ended 12 days ago (expired in a 10-day window), 2 ended 8 days ago, 3 is current since 8 days
    DedupSchema schema = layout("ret_live", scope, 10_000, 20, 12, 8);
    Counts counts = new Counts();
    fx.start(DedupConsumer.builder(fx.kafka.consumerProps(scope), new StringDeserializer(),
            new StringDeserializer(), fx.db.dataSource())
        .topics(topic).keyStrategy(KeyStrategy.header()).recordHandler(EngineFixture.insertOrder())
        .recoverer(fx.dlt()).config(DedupConfig.builder().schema(schema).metrics(counts).build()).build());
    send(topic, "warm-up", "warm-up", topic + "-warm-up");
    await().atMost(Duration.ofSeconds(60)).until(() -> orders(topic, "true") == 1);

    CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < 3_000; i++) {
        send(topic, "o" + i, "v" + i, topic + "-live-" + i);
      }
      producer.flush();
    });
    RetentionJob job = RetentionJob.builder(fx.db.dataSource(), RetentionConfig.builder()
        .window(Duration.ofDays(10)).generationLength(Duration.ofDays(5)).schema(schema).build()).build();
    RetentionJob.RunResult result = job.runOnce();
    traffic.get();

    assertThat(result.skipped()).isNull();
    assertThat(result.deleted()).isEqualTo(10_000);
    assertThat(result.generationsDropped()).isEqualTo(1);
    assertThat(result.currentGeneration()).as("generation 3 ran 8 days > 5: switched").isEqualTo(4);
    assertThat(partitionExists(schema, 1)).isFalse();
    assertThat(keys(schema, 2)).isEqualTo(10_000);
    assertThat(partitionExists(schema, 5) && partitionExists(schema, 6)).as("partitions made ahead").isTrue();
    assertThat(Duration.between(result.oldestKey(), Instant.now())).isBetween(Duration.ofDays(12).minusMinutes(5),
        Duration.ofDays(12).plusMinutes(5));
    await().atMost(Duration.ofSeconds(60)).until(() -> orders(topic, "true") == 3_001);
    assertThat(fx.count("SELECT count(DISTINCT order_key) FROM orders WHERE topic = '" + topic + "'"))
        .isEqualTo(3_001);
    assertThat(fx.count("SELECT count(*) FROM " + schema.claims() + " WHERE generation = 4"))
        .as("claims after the switch went to the new generation").isPositive();
    assertThat(counts.failures).as("no failed transaction while the job ran").hasValue(0);
    assertThat(counts.deadLettered).hasValue(0);

    // keys inside the window still deduplicate; an expired key is processed again, as documented
    send(topic, "same-partition", "in-window", "g2-5");
    send(topic, "same-partition", "expired", "g1-5");
    producer.flush();
    await().atMost(Duration.ofSeconds(30)).until(() -> orders(topic, "payload = 'expired'") == 1);
    assertThat(orders(topic, "payload = 'in-window'")).isZero();
    assertThat(counts.resends).hasValue(1);

    RetentionJob.RunResult again = job.runOnce();
    assertThat(again.generationsDropped()).isZero();
    assertThat(again.currentGeneration()).as("generation 4 is young").isEqualTo(4);
  }

  @Test
  void keepsTheGenerationsThatTheTopicsCanStillReplayAndReportsTheHorizon() {
    String topic = "retention-horizon-" + System.nanoTime();
    fx.kafka.createTopic(topic, 1, Map.of("retention.ms", String.valueOf(Duration.ofDays(20).toMillis())));
    Instant fifteenDaysAgo = Instant.now().minus(Duration.ofDays(15));
    producer.send(new ProducerRecord<>(topic, null, fifteenDaysAgo.toEpochMilli(), "k", "old"));
    producer.flush();
    // generation 1 ended 25 days ago, 2 ended 12 days ago (expired in 10 days, but replayable for 20)
    DedupSchema schema = layout("ret_horizon", "horizon", 1_000, 40, 25, 12);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RetentionJob job = RetentionJob.builder(fx.db.dataSource(),
            RetentionConfig.builder().window(Duration.ofDays(10)).schema(schema).scope("horizon").build())
        .topics(fx.kafka.admin(), List.of(topic)).meterRegistry(registry).build();

    RetentionJob.RunResult result = job.runOnce();

    assertThat(result.generationsDropped()).isEqualTo(1);
    assertThat(result.deleted()).isEqualTo(1_000);
    assertThat(keys(schema, 2)).as("still replayable").isEqualTo(1_000);
    assertThat(Duration.between(result.cutoff(), Instant.now()))
        .isBetween(Duration.ofDays(20).plusMinutes(59), Duration.ofDays(20).plusMinutes(62));
    assertThat(registry.get("kafka.dedup.retention.deleted").counter().count()).isEqualTo(1_000);
    assertThat(registry.get("kafka.dedup.retention.topic.retention").tag("topic", topic).gauge().value())
        .isEqualTo(Duration.ofDays(20).toSeconds());
    assertThat(registry.get("kafka.dedup.retention.oldest.record.age").gauge().value())
        .isCloseTo(Duration.ofDays(15).toSeconds(), within(120.0));
    assertThat(registry.get("kafka.dedup.retention.oldest.key.age").gauge().value())
        .isCloseTo(Duration.ofDays(25).toSeconds(), within(120.0));
    assertThat(registry.get("kafka.dedup.retention.run").timer().count()).isEqualTo(1);
  }

  @Test
  void runsWithoutMicrometerOnTheClassPath() {
    DedupSchema schema = layout("ret_plain", "no-micrometer", 10, 20, 12, 1);
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String withoutMicrometer = Arrays.stream(classPath.split(File.pathSeparator))
        .filter(entry -> !entry.contains("micrometer")).collect(Collectors.joining(File.pathSeparator));
    assertThat(withoutMicrometer).as("the test class path lists its jars").isNotEqualTo(classPath);
    try (ChildJvm child = ChildJvm.builder(RetentionWithoutMicrometerMain.class).name("retention-no-micrometer")
        .classPath(withoutMicrometer).args(fx.db.jdbcUrl(), fx.db.user(), fx.db.password(), schema.schema())
        .start()) {
      assertThat(child.waitFor(Duration.ofSeconds(60))).as(child.tail()).isZero();
      assertThat(child.output()).contains("no micrometer-core", "deleted 10");
    }
  }

  @Test
  void aTopicThatKeepsRecordsForeverStopsDropping() {
    String topic = "retention-forever-" + System.nanoTime();
    fx.kafka.createTopic(topic, 1, Map.of("retention.ms", "-1"));
    DedupSchema schema = layout("ret_forever", "forever", 100, 40, 20);
    RetentionJob job = RetentionJob.builder(fx.db.dataSource(),
            RetentionConfig.builder().window(Duration.ofDays(10)).schema(schema).build())
        .topics(fx.kafka.admin(), List.of(topic)).build();

    RetentionJob.RunResult result = job.runOnce();

    assertThat(result.deleted()).isZero();
    assertThat(result.skipped()).contains("keeps records forever (retention.ms=-1)");
    assertThat(keys(schema, 1)).isEqualTo(100);
  }
}
