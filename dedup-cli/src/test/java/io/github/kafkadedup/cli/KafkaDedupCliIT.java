package io.github.kafkadedup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.BatchResult;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupProcessor;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.migrations.DedupKeys;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every subcommand through {@link KafkaDedupCli#run} against the real PostgreSQL, on claims made by the
 * real engine ({@link DedupProcessor}): outputs and exit codes as an operator or a script sees them.
 */
class KafkaDedupCliIT {
  static final String SCOPE = "billing";
  static final String TOPIC = "payments";
  static final String UUID_KEY = "0190f4a2-6c1e-7b3a-8d2f-3a5b6c7d8e9f";

  static TestDatabase db;
  static Map<String, String> env;
  static List<String> recovered = new ArrayList<>();

  @BeforeAll
  static void migrateThroughTheCliAndClaimThroughTheEngine() {
    db = TestPostgres.get().createDatabase("cli");
    env = CliRun.env(db.jdbcUrl(), db.user(), db.password());
    CliRun migrate = CliRun.run(env, "migrate");
    assertThat(migrate.code()).as("%s", migrate).isZero();
    assertThat(migrate.out()).contains("applied to public:").contains("claims by generation").contains("audit")
        .contains("dead letters").contains("now at version 8");
    BatchResult r = process(record(0, "pay-1", "ok"), record(1, "pay-2", "poison"), record(2, UUID_KEY, "ok"));
    assertThat(r.processed()).isEqualTo(2);
    assertThat(recovered).containsExactly("poison");
  }

  @AfterAll
  static void close() {
    if (db != null) {
      db.close();
    }
  }

  static ConsumerRecord<String, String> record(long offset, String key, String value) {
    ConsumerRecord<String, String> r = new ConsumerRecord<>(TOPIC, 3, offset, "order", value);
    r.headers().add(KeyStrategy.DEFAULT_HEADER, key.getBytes(StandardCharsets.UTF_8));
    return r;
  }

  /** The engine's claim path: "poison" fails the handler and is dead-lettered (status D). */
  @SafeVarargs
  static BatchResult process(ConsumerRecord<String, String>... records) {
    return DedupProcessor.<String, String>builder(db.dataSource())
        .config(DedupConfig.builder().scope(SCOPE).build())
        .keyStrategy(KeyStrategy.header())
        .recordHandler((record, tx) -> {
          if (record.value().equals("poison")) {
            throw new IllegalArgumentException("cannot parse payment");
          }
        })
        .recoverer((record, reason) -> recovered.add(record.value()))
        .build().process(List.of(records));
  }

  @Test
  void lookupFindsAProcessedKeyWithItsGenerationAndPartitionOffset() {
    CliRun r = CliRun.run(env, "lookup", "--scope", SCOPE, "--key", "pay-1");
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).startsWith("kafka-dedup lookup: database ")
        .contains("\nFOUND  scope 'billing', key 'pay-1' (id " + DedupKeys.id("pay-1") + ")")
        .contains("state        processed (status P)")
        .containsPattern("generation   1 started 20\\d\\d-\\d\\d-\\d\\dT[0-9:]+Z, current")
        .contains("first seen   partition 3@0");
  }

  @Test
  void lookupSaysDeadLetteredAndAcceptsTheStoredKeyIdAndJson() {
    CliRun r = CliRun.run(env, "lookup", "--scope", SCOPE, "--key-id", DedupKeys.id("pay-2").toString(), "--json");
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).startsWith("{\"found\":true,\"scope\":\"billing\",\"key\":null,\"keyId\":\""
        + DedupKeys.id("pay-2") + "\"").contains("\"status\":\"D\"").contains("\"state\":\"dead-lettered\"")
        .contains("\"partition\":3,\"offset\":1");
    CliRun uuid = CliRun.run(env, "lookup", "--scope", SCOPE, "--key", UUID_KEY.toUpperCase());
    assertThat(uuid.code()).as("a UUID key is stored as itself, in either case: %s", uuid).isZero();
  }

  @Test
  void lookupOfAnUnknownKeyOrScopeExitsOne() {
    CliRun r = CliRun.run(env, "lookup", "--scope", SCOPE, "--key", "never-sent");
    assertThat(r.code()).as("%s", r).isEqualTo(1);
    assertThat(r.out()).contains("\nNOT FOUND  scope 'billing', key 'never-sent'");
    CliRun scope = CliRun.run(env, "lookup", "--scope", "bliling", "--key", "pay-1");
    assertThat(scope.code()).isEqualTo(1);
    assertThat(scope.out()).contains("no consumer has registered scope 'bliling'");
  }

  @Test
  void statusNamesAnOutboxTopicTheRelaySetAside() {
    db.execute("INSERT INTO outbox_topics_set_aside (topic, since, reason, relay)"
        + " VALUES ('payments-typo', now(), 'does not exist', 'relay-1')");
    try {
      CliRun r = CliRun.run(env, "status");
      assertThat(r.code()).as("%s", r).isZero();
      assertThat(r.out()).contains("note: outbox rows for topic payments-typo are set aside: the topic does not "
          + "exist (since ");
    } finally {
      db.execute("DELETE FROM outbox_topics_set_aside");
    }
  }

  @Test
  void statusSaysNoRelayPublishesAnOutboxTopicWhoseRowsWaitedOverAMinute() {
    db.execute("INSERT INTO outbox (lane, topic, record_value, created_at) VALUES"
        + " (1, 'orders.DLT', 'x', now() - interval '5 minutes'), (2, 'orders.DLT', 'y', now()),"
        + " (3, 'fresh', 'z', now())");
    try {
      CliRun r = CliRun.run(env, "status");
      assertThat(r.code()).as("%s", r).isZero();
      assertThat(r.out()).containsPattern("note: outbox rows for topic orders\\.DLT have waited 3\\d\\d s \\(2 "
          + "unpublished\\): no relay is publishing them. Start one \\(Spring Boot: dedup.outbox.relay.enabled=true")
          .doesNotContain("topic fresh have waited");
    } finally {
      db.execute("DELETE FROM outbox");
    }
  }

  @Test
  void statusCountsClaimsAndDeadLettersPerScopeAndGeneration() {
    CliRun r = CliRun.run(env, "status", "--json");
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).contains("\"schemaVersion\":\"8\"")
        .containsPattern("\"scopes\":\\[\\{\"scope\":\"billing\",\"claims\":3,\"deadLettered\":1,\"generations\":1,")
        .containsPattern("\"claims\":\\[\\{\"scope\":\"billing\",\"generation\":1,\"generationStartedAt\":\"[^\"]+\","
            + "\"processed\":2,\"deadLettered\":1\\}\\]")
        .contains("\"deadLetters\":[]").contains("\"outbox\":[]").contains("\"notes\":[\"lag and members not shown"); // V3, V5: empty tables
    CliRun text = CliRun.run(env, "status");
    assertThat(text.out()).contains("Claims per generation")
        .containsPattern("billing\\s+1\\s+\\S+Z\\s+2\\s+1\\n");
  }

  @Test
  void usageErrorsExitTwoAndNameTheProblem() {
    CliRun noReason = CliRun.run(env, "forget", "--scope", SCOPE, "--key", "pay-1");
    assertThat(noReason.code()).isEqualTo(2);
    assertThat(noReason.err()).contains("Missing required option: '--reason=TEXT'");
    CliRun blank = CliRun.run(env, "forget", "--scope", SCOPE, "--key", "pay-1", "--reason", "  ");
    assertThat(blank.code()).isEqualTo(2);
    assertThat(blank.err()).contains("--reason must say why");
    CliRun both = CliRun.run(env, "lookup", "--scope", SCOPE, "--key", "a", "--key-id", UUID.randomUUID().toString());
    assertThat(both.code()).isEqualTo(2);
    CliRun url = CliRun.run(Map.of("DEDUP_JDBC_URL", "jdbc:mysql://localhost/x"), "status");
    assertThat(url.code()).isEqualTo(2);
    assertThat(url.err()).contains("--jdbc-url must start with jdbc:postgresql:");
    CliRun window = CliRun.run(env, "retention", "plan", "--window", "a week");
    assertThat(window.code()).isEqualTo(2);
    assertThat(window.err()).contains("--window must be a duration like 7d");
  }

  @Test
  void connectionAndMissingTableErrorsSayWhatToDo() {
    CliRun refused = CliRun.run(Map.of("DEDUP_JDBC_URL", "jdbc:postgresql://127.0.0.1:1/nowhere"), "status");
    assertThat(refused.code()).as("%s", refused).isEqualTo(3);
    assertThat(refused.err()).contains("cannot connect to jdbc:postgresql://127.0.0.1:1/nowhere")
        .contains("Check the host, port and database");
    CliRun missing = CliRun.run(env, "lookup", "--schema", "not_migrated", "--scope", SCOPE, "--key", "pay-1");
    assertThat(missing.code()).as("%s", missing).isEqualTo(4);
    assertThat(missing.err()).contains("table not_migrated.claims does not exist").contains("run kafka-dedup migrate");
  }

  @Test
  void migrateAgainAppliesNothingAndDryRunListsNothingPending() {
    CliRun again = CliRun.run(env, "migrate");
    assertThat(again.code()).isZero();
    assertThat(again.out()).isEqualTo("schema public is up to date at version 8; nothing applied\n");
    CliRun other = CliRun.run(env, "migrate", "--schema", "ops", "--prefix", "kd_", "--dry-run", "--json");
    assertThat(other.code()).isZero();
    assertThat(other.out()).contains("\"pending\":[{\"version\":\"1\"").contains("\"currentVersion\":\"none\"");
    assertThat(db.queryLong("select count(*) from pg_namespace where nspname = 'ops'")).isZero();
  }
}
