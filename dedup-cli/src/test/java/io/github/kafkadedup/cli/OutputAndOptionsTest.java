package io.github.kafkadedup.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parts without a database: durations, JSON, tables, environment defaults, usage errors. */
class OutputAndOptionsTest {

  @Test
  void durationsInShortFormOrIso() {
    assertThat(RetentionOptions.duration("--window", "14d")).isEqualTo(Duration.ofDays(14));
    assertThat(RetentionOptions.duration("--window", "36h")).isEqualTo(Duration.ofHours(36));
    assertThat(RetentionOptions.duration("--window", "90m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(RetentionOptions.duration("--window", "PT36H")).isEqualTo(Duration.ofHours(36));
    assertThatThrownBy(() -> RetentionOptions.duration("--window", "2 weeks"))
        .isInstanceOfSatisfying(CliFailure.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessage("--window must be a duration like 7d, 36h, 90m, 30s or PT36H, but was '2 weeks'");
  }

  @Test
  void jsonEscapesAndKeepsOrder() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", "a\"b\\c\nd\u0001");
    m.put("n", 3L);
    m.put("at", Instant.parse("2026-11-29T23:00:00Z"));
    m.put("list", Arrays.asList(true, null));
    assertThat(Json.write(m)).isEqualTo(
        "{\"key\":\"a\\\"b\\\\c\\nd\\u0001\",\"n\":3,\"at\":\"2026-11-29T23:00:00Z\",\"list\":[true,null]}");
  }

  @Test
  void tablesPadToTheWidestCellAndShowNullAsDash() {
    StringWriter out = new StringWriter();
    new TextTable("SCOPE", "CLAIMS").row("payments-service", 3).row("x", null).print(new PrintWriter(out, true));
    assertThat(out.toString()).isEqualTo("SCOPE             CLAIMS\npayments-service  3\nx                 -\n");
  }

  @Test
  void aCommandLineOptionWinsOverItsEnvironmentVariable() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KafkaDedupCli.run(new String[] {"status", "--jdbc-url", "mysql://x"}, new PrintWriter(out, true),
        new PrintWriter(err, true), Map.of("DEDUP_JDBC_URL", "jdbc:postgresql://127.0.0.1:1/x"));
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .contains("--jdbc-url must start with jdbc:postgresql://host:port/database, but was 'mysql://x'");
  }

  @Test
  void noDatabaseGivenIsAUsageErrorNamingTheVariable() {
    StringWriter err = new StringWriter();
    int code = KafkaDedupCli.run(new String[] {"lookup", "--scope", "s", "--key", "k"},
        new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), Map.of());
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("no database given: set --jdbc-url (or DEDUP_JDBC_URL)");
    assertThat(List.of(KafkaDedupCli.run(new String[] {"retention"}, new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter()), Map.of()))).containsExactly(ExitCodes.USAGE);
  }
}
