package io.github.kafkadedup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupProcessor;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestKafka;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issues 23 and 24: dead letters grouped by failure, acted on in bulk by filter (a count and a dry run first,
 * {@code --yes} to act, all or nothing), listed with their record key, and a replay that names the other
 * consumer groups reading the topic. Real PostgreSQL and Kafka, through the command's entry point.
 */
class DeadLetterBulkCliIT {
  static final String SCOPE = "ledger";
  static TestDatabase db;
  static Map<String, String> env;
  static String topic;

  @BeforeAll
  static void setUp() {
    db = TestPostgres.get().createDatabase("cli_bulk");
    env = CliRun.env(db.jdbcUrl(), db.user(), db.password());
    assertThat(CliRun.run(env, "migrate").code()).isZero();
    topic = TestKafka.get().createTopic("ledger", 1);
    for (int i = 0; i < 3; i++) {
      deadLetter(i, "acct-" + i, new IllegalStateException("account " + (1000 + i) + " is locked"));
    }
    deadLetter(3, "acct-3", new NumberFormatException("For input string: \"1,5\""));
    deadLetter(4, "acct-4", new NumberFormatException("For input string: \"2,5\""));
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  static void deadLetter(long offset, String recordKey, RuntimeException failure) {
    ConsumerRecord<String, String> r = new ConsumerRecord<>(topic, 0, offset, recordKey, "v" + offset);
    r.headers().add(KeyStrategy.DEFAULT_HEADER, ("k-" + offset).getBytes(StandardCharsets.UTF_8));
    assertThat(DedupProcessor.<String, String>builder(db.dataSource())
        .config(DedupConfig.builder().scope(SCOPE).build()).keyStrategy(KeyStrategy.header())
        .recordHandler((record, tx) -> {
          throw failure;
        })
        .recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer()))
        .build().process(List.of(r)).deadLettered()).isEqualTo(1);
  }

  private static String state(String key) {
    try (var c = db.dataSource().getConnection(); var st = c.createStatement();
        var rs = st.executeQuery("select state from dead_letters where message_key = '" + key + "'")) {
      return rs.next() ? rs.getString(1) : "?";
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void groupsCountTheFailuresAndABulkReplayByGroupIsCountedDryRunThenDoneAllAtOnce() {
    CliRun groups = CliRun.run(env, "dead-letters", "groups", "--scope", SCOPE, "--json");
    assertThat(groups.code()).as("%s", groups).isZero();
    assertThat(groups.out()).contains("\"count\":2").contains("\"exceptionClass\":\"java.lang.IllegalStateException\"");
    Matcher locked = Pattern.compile("\"group\":\"([0-9a-f]{16})\",\"count\":3,\"open\":3").matcher(groups.out());
    assertThat(locked.find()).as(groups.out()).isTrue();
    String group = locked.group(1);
    CliRun table = CliRun.run(env, "dead-letters", "groups");
    assertThat(table.out()).contains("GROUP").contains(group).contains("IllegalStateException")
        .contains("account <n> is locked");

    CliRun noYes = CliRun.run(env, "dead-letters", "replay", "--group", group, "--reason", "INC-12");
    assertThat(noYes.code()).as("%s", noYes).isEqualTo(ExitCodes.USAGE);
    assertThat(noYes.out()).contains("WOULD REPLAY").contains("3 dead letter(s) would be replayed; nothing changed: "
        + "add --yes to replay them");
    assertThat(state("k-0")).isEqualTo("pending");

    KafkaConsumer<String, String> other = new KafkaConsumer<>(otherGroup(), new StringDeserializer(),
        new StringDeserializer());
    try (other) {
      other.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(5)));
    }
    CliRun done = CliRun.run(env, "dead-letters", "replay", "--group", group, "--reason", "INC-12", "--yes",
        "--bootstrap-servers", TestKafka.get().bootstrapServers());
    assertThat(done.code()).as("%s", done).isZero();
    assertThat(done.out()).contains("other consumer groups reading " + topic + " get the replayed records too: "
        + "ledger-audit").contains("REPLAYED");
    assertThat(List.of(state("k-0"), state("k-1"), state("k-2"))).containsOnly("replayed");
    assertThat(state("k-3")).as("another group").isIn("pending", "discarded");
    assertThat(db.queryLong("select count(*) from dedup_audit where action = 'dead-letter-replay'")).isEqualTo(3);
  }

  @Test
  void aBatchWithOneRefusalChangesNothingAndListsFilterByRecordKey() {
    long k3 = db.queryLong("select id from dead_letters where message_key = 'k-3'");
    long k4 = db.queryLong("select id from dead_letters where message_key = 'k-4'");
    CliRun refused = CliRun.run(env, "dead-letters", "discard", String.valueOf(k3), "999999", "--reason", "cleanup");
    assertThat(refused.code()).as("%s", refused).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(refused.out()).contains("nothing changed: discard is all or nothing, and 1 of 2 cannot be discarded");
    assertThat(state("k-3")).isEqualTo("pending");

    CliRun list = CliRun.run(env, "dead-letters", "list", "--record-key", "acct-4");
    assertThat(list.code()).as("%s", list).isZero();
    assertThat(list.out()).contains("RECORD KEY").contains("acct-4").doesNotContain("acct-3");
    CliRun both = CliRun.run(env, "dead-letters", "discard", String.valueOf(k3), String.valueOf(k4), "--reason",
        "bad input file", "--json");
    assertThat(both.code()).as("%s", both).isZero();
    assertThat(List.of(state("k-3"), state("k-4"))).containsExactly("discarded", "discarded");
  }

  private static Map<String, Object> otherGroup() {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "ledger-audit");
    return p;
  }
}
