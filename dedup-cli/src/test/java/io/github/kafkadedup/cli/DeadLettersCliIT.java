package io.github.kafkadedup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.BatchResult;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupProcessor;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code kafka-dedup dead-letters list|show|replay|discard} and {@code status}'s dead letters, through the
 * command's entry point against the real PostgreSQL. The dead letters are made by the engine itself
 * ({@code DedupProcessor} with {@code Recoverer.deadLetterTable} and a handler that fails), so the rows are
 * what a consumer writes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeadLettersCliIT {
  static final String SCOPE = "payments";
  static final byte[] BINARY = {0, 1, 2, (byte) 0xfe, (byte) 0xff};
  static TestDatabase db;
  static Map<String, String> env;
  static long textId;
  static long binaryId;

  @BeforeAll
  static void setUp() {
    db = TestPostgres.get().createDatabase("cli_dead_letters");
    env = CliRun.env(db.jdbcUrl(), db.user(), db.password());
    assertThat(CliRun.run(env, "migrate").code()).isZero();
    assertThat(text(7, "pay-7", "{\"amount\":\"12,50\"}", true).deadLettered()).isEqualTo(1);
    assertThat(text(8, "pay-8", "{\"amount\":\"3.00\"}", false).processed()).isEqualTo(1);
    ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("payments", 1, 40, "k".getBytes(StandardCharsets.UTF_8),
        BINARY);
    r.headers().add(KeyStrategy.DEFAULT_HEADER, "pay-40".getBytes(StandardCharsets.UTF_8));
    r.headers().add("trace", BINARY);
    BatchResult binary = DedupProcessor.<byte[], byte[]>builder(db.dataSource())
        .config(DedupConfig.builder().scope(SCOPE).build()).keyStrategy(KeyStrategy.header())
        .recordHandler((record, tx) -> {
          throw new IllegalArgumentException("not a payment: binary value");
        })
        .recoverer(Recoverer.deadLetterTable(new ByteArraySerializer(), new ByteArraySerializer()))
        .build().process(List.of(r));
    assertThat(binary.deadLettered()).isEqualTo(1);
    textId = db.queryLong("select id from dead_letters where message_key = 'pay-7'");
    binaryId = db.queryLong("select id from dead_letters where message_key = 'pay-40'");
  }

  /** One record through the engine; {@code fail}: the handler throws (the record is dead-lettered). */
  static BatchResult text(long offset, String key, String value, boolean fail) {
    ConsumerRecord<String, String> r = new ConsumerRecord<>("payments", 0, offset, "customer-1", value);
    r.headers().add(KeyStrategy.DEFAULT_HEADER, key.getBytes(StandardCharsets.UTF_8));
    return DedupProcessor.<String, String>builder(db.dataSource())
        .config(DedupConfig.builder().scope(SCOPE).build()).keyStrategy(KeyStrategy.header())
        .recordHandler((record, tx) -> {
          if (fail) {
            throw new NumberFormatException("For input string: \"12,50\"");
          }
        })
        .recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer()))
        .build().process(List.of(r));
  }

  @AfterAll
  static void close() {
    if (db != null) {
      db.close();
    }
  }

  @Test
  @Order(1)
  void statusCountsDeadLettersByReasonAndState() {
    CliRun r = CliRun.run(env, "status");
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).contains("Dead letters").containsPattern("\\nhandler_failed +pending +2 +\\S+Z +\\S+Z\\n");
    assertThat(CliRun.run(env, "status", "--json").out())
        .contains("\"deadLetters\":[{\"reason\":\"handler_failed\",\"state\":\"pending\",\"count\":2,");
  }

  @Test
  @Order(2)
  void listPrintsATableOrJsonAndFilters() {
    CliRun r = CliRun.run(env, "dead-letters", "list");
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).startsWith("ID  CREATED").contains("STATE    REASON          SCOPE     KEY     RECORD KEY  SOURCE")
        .containsPattern("\\n" + textId + " +\\S+Z +pending +handler_failed +payments +pay-7 +customer-1 +payments-0@7 +"
            + "NumberFormatException: For input string: \"12,50\"\\n")
        .containsPattern("\\n" + binaryId + " +\\S+Z +pending +handler_failed +payments +pay-40 +k +payments-1@40 +"
            + "IllegalArgumentException: not a payment: binary value\\n");

    CliRun json = CliRun.run(env, "dead-letters", "list", "--json", "--limit", "1");
    assertThat(json.out()).startsWith("{\"count\":1,\"nextAfterId\":" + textId + ",\"deadLetters\":[{\"id\":"
        + textId + ",").contains("\"key\":\"pay-7\"").contains("\"source\":\"payments-0@7\"");
    CliRun page = CliRun.run(env, "dead-letters", "list", "--limit", "1");
    assertThat(page.out()).contains("(first 1 shown; next page: --after-id " + textId + ")");
    assertThat(CliRun.run(env, "dead-letters", "list", "--after-id", String.valueOf(textId)).out())
        .contains("pay-40").doesNotContain("pay-7 ");

    assertThat(CliRun.run(env, "dead-letters", "list", "--state", "HELD").out()).isEqualTo("no dead letters match\n");
    assertThat(CliRun.run(env, "dead-letters", "list", "--reason", "handler-failed", "--topic", "payments",
        "--scope", SCOPE).out()).contains("pay-7").contains("pay-40");
    CliRun bad = CliRun.run(env, "dead-letters", "list", "--state", "stuck");
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("--state must be one of pending, published, held, parked, replayed, discarded, "
        + "superseded, but was "
        + "'stuck'");
    assertThat(CliRun.run(env, "dead-letters", "list", "--limit", "0").err())
        .contains("limit must be between 1 and 10000, but was 0");
  }

  @Test
  @Order(3)
  void showPrintsHeadersKeyValueAsTextOrBase64AndTheFailure() {
    CliRun text = CliRun.run(env, "dead-letters", "show", String.valueOf(textId));
    assertThat(text.code()).as("%s", text).isZero();
    assertThat(text.out()).startsWith("dead letter " + textId + ": pending, reason handler_failed\n")
        .contains("  key               'pay-7' (id ")
        .contains("  source            payments-0@7\n")
        .contains("  error             java.lang.NumberFormatException: For input string: \"12,50\"\n")
        .contains("  dead-letter topic payments.DLT (not published)\n")
        .contains("headers (1)\n  idempotency-key: pay-7\n")
        .contains("record key (10 bytes, text)\n  customer-1\n")
        .contains("record value (18 bytes, text)\n  {\"amount\":\"12,50\"}\n")
        .contains("stack trace\n  java.lang.NumberFormatException");

    CliRun binary = CliRun.run(env, "dead-letters", "show", String.valueOf(binaryId));
    String base64 = Base64.getEncoder().encodeToString(BINARY);
    assertThat(binary.out()).contains("  trace: (5 bytes, base64) " + base64 + "\n")
        .contains("record value (5 bytes, base64)\n  " + base64 + "\n");
    assertThat(CliRun.run(env, "dead-letters", "show", String.valueOf(binaryId), "--hex").out())
        .contains("record value (5 bytes, hex)\n  000102feff\n");
    assertThat(CliRun.run(env, "dead-letters", "show", String.valueOf(binaryId), "--json").out())
        .contains("\"recordValue\":{\"size\":5,\"encoding\":\"base64\",\"data\":\"" + base64 + "\"}")
        .contains("{\"name\":\"trace\",\"size\":5,\"encoding\":\"base64\",\"data\":\"" + base64 + "\"}");

    CliRun missing = CliRun.run(env, "dead-letters", "show", "999999");
    assertThat(missing.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(missing.out()).startsWith("NOT FOUND  no dead letter with id 999999");
  }

  @Test
  @Order(4)
  void replayNeedsAReasonADryRunChangesNothingAndTheReplayIsAuditedAndRunsTheKeyAgain() {
    CliRun noReason = CliRun.run(env, "dead-letters", "replay", String.valueOf(textId));
    assertThat(noReason.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noReason.err()).contains("Missing required option: '--reason=TEXT'");
    assertThat(CliRun.run(env, "dead-letters", "replay", String.valueOf(textId), "--reason", " ").code())
        .isEqualTo(ExitCodes.USAGE);

    CliRun dry = CliRun.run(env, "dead-letters", "replay", String.valueOf(textId), "--reason", "INC-9", "--dry-run");
    assertThat(dry.code()).as("%s", dry).isZero();
    assertThat(dry.out()).startsWith("WOULD REPLAY  " + textId + ": payments-0@7: the D claim of key 'pay-7' in "
        + "scope 'payments' would be removed").contains("dry run: nothing changed, nothing recorded");
    assertThat(state(textId)).isEqualTo("pending");
    assertThat(audits()).isZero();

    long outboxBefore = db.queryLong("select count(*) from outbox where topic = 'payments'");
    CliRun replay = CliRun.run(env, "dead-letters", "replay", String.valueOf(textId), "--reason",
        "INC-9: parser accepts decimal commas", "--operator", "alice");
    assertThat(replay.code()).as("%s", replay).isZero();
    assertThat(replay.out()).startsWith("REPLAYED  " + textId + ": payments-0@7: the D claim of key 'pay-7'")
        .contains("recorded on the dead letter and in the audit table with reason: INC-9");
    assertThat(state(textId)).isEqualTo("replayed");
    assertThat(db.queryLong("select count(*) from outbox where topic = 'payments'")).isEqualTo(outboxBefore + 1);
    assertThat(db.queryLong("select count(*) from dedup_audit where action = 'dead-letter-replay' and operator = "
        + "'alice' and dead_letter_id = " + textId + " and reason like 'INC-9:%' and message_key = 'pay-7'"))
        .isEqualTo(1);
    assertThat(CliRun.run(env, "lookup", "--scope", SCOPE, "--key", "pay-7").code())
        .as("the D claim is gone").isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(text(7, "pay-7", "{\"amount\":\"12,50\"}", false).processed())
        .as("the replayed record is handled once more").isEqualTo(1);

    CliRun again = CliRun.run(env, "dead-letters", "replay", String.valueOf(textId), "--reason", "twice");
    assertThat(again.code()).as("%s", again).isEqualTo(ExitCodes.FAILED);
    assertThat(again.out()).startsWith("REFUSED  " + textId + ": dead letter " + textId + " is replayed");
    CliRun unknown = CliRun.run(env, "dead-letters", "replay", "999999", "--reason", "typo", "--json");
    assertThat(unknown.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(unknown.out()).contains("\"results\":[{\"id\":999999,\"result\":\"not-found\"");
    assertThat(audits()).isEqualTo(1);
  }

  @Test
  @Order(5)
  void discardKeepsTheClaimAndIsAudited() {
    CliRun r = CliRun.run(env, "dead-letters", "discard", String.valueOf(binaryId), "--reason",
        "INC-10: test message", "--operator", "bob");
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).startsWith("DISCARDED  " + binaryId + ": payments-1@40 key 'pay-40': was marked discarded")
        .contains("the key's D claim stays");
    assertThat(state(binaryId)).isEqualTo("discarded");
    assertThat(CliRun.run(env, "lookup", "--scope", SCOPE, "--key", "pay-40").out()).contains("dead-lettered");
    assertThat(db.queryLong("select count(*) from dedup_audit where action = 'dead-letter-discard' and operator = "
        + "'bob' and dead_letter_id = " + binaryId)).isEqualTo(1);
    CliRun status = CliRun.run(env, "status");
    assertThat(status.out()).containsPattern("\\nhandler_failed +discarded +1 ")
        .containsPattern("\\nhandler_failed +replayed +1 ");
  }

  @Test
  @Order(6)
  void withoutTheTableTheCommandsSayToMigrate() {
    try (TestDatabase empty = TestPostgres.get().createDatabase("cli_no_dead_letters")) {
      Map<String, String> e = CliRun.env(empty.jdbcUrl(), empty.user(), empty.password());
      CliRun r = CliRun.run(e, "dead-letters", "list");
      assertThat(r.code()).isEqualTo(ExitCodes.NOT_MIGRATED);
      assertThat(r.err()).contains("table public.dead_letters does not exist (schema version 5 adds it): run "
          + "kafka-dedup migrate");
    }
  }

  static String state(long id) {
    Matcher m = Pattern.compile(": (\\w+), reason").matcher(CliRun.run(env, "dead-letters", "show",
        String.valueOf(id)).out());
    return m.find() ? m.group(1) : "?";
  }

  static long audits() {
    return db.queryLong("select count(*) from dedup_audit");
  }
}
