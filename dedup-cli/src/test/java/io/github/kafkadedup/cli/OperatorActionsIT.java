package io.github.kafkadedup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.BatchResult;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupProcessor;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestKafka;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The commands that change something ({@code forget}, {@code retention run}) and the ones that read Kafka
 * ({@code status} lag, the retention replay guard), against the real PostgreSQL and broker. The retention
 * tests run last: they drop generations.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorActionsIT {
  static final String SCOPE = "refunds";
  static TestDatabase db;
  static TestKafka kafka;
  static Map<String, String> env;

  @BeforeAll
  static void setUp() {
    db = TestPostgres.get().createDatabase("cli_actions");
    kafka = TestKafka.get();
    env = CliRun.env(db.jdbcUrl(), db.user(), db.password());
    assertThat(CliRun.run(env, "migrate").code()).isZero();
  }

  @AfterAll
  static void close() {
    if (db != null) {
      db.close();
    }
  }

  static BatchResult process(long offset, String key) {
    ConsumerRecord<String, String> r = new ConsumerRecord<>("refund-requests", 0, offset, "k", "v");
    r.headers().add(KeyStrategy.DEFAULT_HEADER, key.getBytes(StandardCharsets.UTF_8));
    return DedupProcessor.<String, String>builder(db.dataSource())
        .config(DedupConfig.builder().scope(SCOPE).build())
        .keyStrategy(KeyStrategy.header())
        .recordHandler((record, tx) -> { })
        .recoverer((record, reason) -> { })
        .build().process(List.of(r));
  }

  static long audits() {
    return db.queryLong("select count(*) from dedup_audit");
  }

  @Test
  @Order(1)
  void forgetRemovesTheClaimRecordsWhoWhyAndWhatAndTheKeyIsProcessedAgain() {
    assertThat(process(4, "refund-7").processed()).isEqualTo(1);
    assertThat(process(5, "refund-7").processed()).as("a re-send is skipped").isZero();

    CliRun dry = CliRun.run(env, "forget", "--scope", SCOPE, "--key", "refund-7", "--reason", "OPS-1", "--dry-run");
    assertThat(dry.code()).as("%s", dry).isZero();
    assertThat(dry.out()).startsWith("WOULD REMOVE  scope 'refunds', key 'refund-7'")
        .contains("processed, generation 1, first seen at partition 0@4").contains("dry run: nothing removed");
    assertThat(CliRun.run(env, "lookup", "--scope", SCOPE, "--key", "refund-7").code()).isZero();
    assertThat(audits()).isZero();

    CliRun forget = CliRun.run(env, "forget", "--scope", SCOPE, "--key", "refund-7",
        "--reason", "OPS-1: amount corrected, customer re-sends", "--operator", "alice");
    assertThat(forget.code()).as("%s", forget).isZero();
    assertThat(forget.out()).startsWith("REMOVED  scope 'refunds', key 'refund-7'")
        .contains("recorded in the audit table with reason: OPS-1: amount corrected, customer re-sends");
    assertThat(CliRun.run(env, "lookup", "--scope", SCOPE, "--key", "refund-7").code()).isEqualTo(1);
    assertThat(db.queryLong("select count(*) from dedup_audit where db_user = current_user and operator = 'alice'"
        + " and action = 'forget' and scope = 'refunds' and message_key = 'refund-7'"
        + " and key_id = dedup_key_id('refund-7') and reason like 'OPS-1:%' and removed_generation = 1"
        + " and removed_status = 'P' and removed_partition = 0 and removed_offset = 4"
        + " and done_at > now() - interval '1 minute'")).isEqualTo(1);

    assertThat(process(9, "refund-7").processed()).as("the corrected message is processed as new").isEqualTo(1);
    CliRun lookup = CliRun.run(env, "lookup", "--scope", SCOPE, "--key", "refund-7");
    assertThat(lookup.out()).contains("first seen   partition 0@9");

    CliRun unknown = CliRun.run(env, "forget", "--scope", SCOPE, "--key", "refund-0", "--reason", "typo");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.out()).startsWith("NOT FOUND");
    assertThat(audits()).isEqualTo(1);
  }

  @Test
  @Order(2)
  void statusShowsTheLagOfStoredOffsetsAgainstTheTopicsEnd() throws Exception {
    String topic = kafka.createTopic("cli-lag", 1);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerProps())) {
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "v")).get(30, TimeUnit.SECONDS);
      }
    }
    db.execute("INSERT INTO consumer_offsets (scope, topic, kafka_partition, next_offset) VALUES ('" + SCOPE
        + "', '" + topic + "', 0, 2)");
    Map<String, String> withKafka = new HashMap<>(env);
    withKafka.put("DEDUP_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
    CliRun r = CliRun.run(withKafka, "status", "--json");
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).containsPattern("\"offsets\":\\[\\{\"scope\":\"refunds\",\"topic\":\"" + topic
        + "\",\"partition\":0,\"nextOffset\":2,\"updatedAt\":\"[^\"]+\",\"endOffset\":5,\"lag\":3\\}\\]");
    assertThat(r.out()).as("offsets in PostgreSQL: the scope's lag is theirs; no group of that name has members")
        .contains("{\"scope\":\"refunds\",\"group\":\"refunds\",\"verdict\":\"NO CONSUMERS\",\"lag\":3,\"members\":0,");
    CliRun noKafka = CliRun.run(env, "status");
    assertThat(noKafka.out()).contains("note: lag and members not shown: give --bootstrap-servers");
    CliRun down = CliRun.run(env, "status", "--bootstrap-servers", "127.0.0.1:1", "--kafka-timeout", "3");
    assertThat(down.code()).as("%s", down).isEqualTo(3);
    assertThat(down.out()).contains("note: lag and members unknown: cannot read Kafka at 127.0.0.1:1");
    assertThat(down.err()).contains("... reading consumer groups and end offsets from Kafka at 127.0.0.1:1 (1 s)");
  }

  @Test
  @Order(3)
  void retentionPlanSaysWhatGoesAndWhyTheRestStays() {
    // generation 1 (refund-7's claim) ended 20 days ago; generation 2 is current since 20 days
    db.execute("SELECT dedup_switch_generation(5000)",
        "UPDATE dedup_generations SET started_at = now() - interval '30 days' WHERE generation = 1",
        "UPDATE dedup_generations SET started_at = now() - interval '20 days' WHERE generation = 2");

    CliRun plan = CliRun.run(env, "retention", "plan", "--window", "7d");
    assertThat(plan.code()).as("%s", plan).isZero();
    assertThat(plan.out()).contains("replay guard: off")
        .containsPattern("\\n1 +\\S+Z +\\S+Z +1 +DROP +-\\n")
        .containsPattern("\\n2 +\\S+Z +- +0 +keep +current generation")
        .contains("a run now also starts a new generation");

    String forever = kafka.createTopic("cli-forever", 1);
    kafka.createTopic(forever + "-kept", 1, Map.of("retention.ms", "-1"));
    CliRun guarded = CliRun.run(env, "retention", "plan", "--window", "7d", "--topics", forever + "-kept",
        "--bootstrap-servers", kafka.bootstrapServers(), "--json");
    assertThat(guarded.code()).as("%s", guarded).isZero();
    assertThat(guarded.out()).contains("\"cutoff\":null").contains("keeps records forever (retention.ms=-1)")
        .contains("\"generation\":1,").doesNotContain("\"drop\":true");

    String month = kafka.createTopic("cli-month", 1);
    kafka.createTopic(month + "-25d", 1, Map.of("retention.ms", Long.toString(TimeUnit.DAYS.toMillis(25))));
    CliRun longer = CliRun.run(env, "retention", "plan", "--window", "7d", "--topics", month + "-25d",
        "--bootstrap-servers", kafka.bootstrapServers());
    assertThat(longer.out()).contains("replay guard: topic " + month + "-25d retention.ms 25d")
        .contains("(earlier than the window's: the replay guard)")
        .containsPattern("\\n1 .* keep +ended \\S+, before the window but after the cutoff \\S+ of the replay guard");
  }

  @Test
  @Order(4)
  void retentionRunDropsTheExpiredGenerationAndLookupNoLongerFindsItsKeys() {
    CliRun unguarded = CliRun.run(env, "retention", "run", "--window", "7d");
    assertThat(unguarded.code()).as("%s", unguarded).isEqualTo(ExitCodes.USAGE);
    assertThat(unguarded.err()).contains("give --bootstrap-servers").contains("--no-replay-guard");
    CliRun unconfirmed = CliRun.run(env, "retention", "run", "--window", "7d", "--no-replay-guard");
    assertThat(unconfirmed.code()).as("%s", unconfirmed).isEqualTo(ExitCodes.USAGE);
    assertThat(unconfirmed.err()).contains("retention run will drop 1 generation(s) holding 1 keys in database ")
        .contains("replay guard OFF").contains("  generation 1: 1 keys, ended ")
        .contains("nothing dropped (no terminal to ask: give --yes");
    assertThat(CliRun.run(env, "lookup", "--scope", SCOPE, "--key", "refund-7").code()).as("still there").isZero();

    CliRun run = CliRun.run(env, "retention", "run", "--window", "7d", "--no-replay-guard", "--yes",
        "--operator", "carol", "--reason", "INC-12 disk full");
    assertThat(run.code()).as("%s", run).isZero();
    assertThat(db.queryLong("select count(*) from dedup_audit where action = 'retention-drop' and operator = 'carol'"
        + " and reason = 'INC-12 disk full' and removed_generation = 1 and keys = 1 and db_user = current_user"))
        .as("the drop is audited").isEqualTo(1);
    assertThat(run.out()).startsWith("retention run: dropped 1 generation(s), 1 keys, that ended before")
        .contains("current generation 3");
    assertThat(CliRun.run(env, "lookup", "--scope", SCOPE, "--key", "refund-7").code()).isEqualTo(1);
    CliRun plan = CliRun.run(env, "retention", "run", "--window", "7d", "--dry-run", "--json");
    assertThat(plan.out()).startsWith("{\"now\":").contains("\"generation\":2,").doesNotContain("\"generation\":1,");
  }
}
