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

  @Test
  void aUsageErrorPrintsTheOneLineAndWhereTheHelpIsNotTheWholeUsage() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KafkaDedupCli.run(new String[] {"lookup", "--scope", "s"}, new PrintWriter(out, true),
        new PrintWriter(err, true), Map.of());
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).isEqualTo("kafka-dedup: Error: Missing required argument (specify one of these): "
        + "(--key=KEY | --key-id=UUID)\nTry 'kafka-dedup lookup --help' for more information.\n");
    StringWriter typo = new StringWriter();
    KafkaDedupCli.run(new String[] {"stauts"}, new PrintWriter(out, true), new PrintWriter(typo, true), Map.of());
    assertThat(typo.toString().lines()).hasSize(3).anyMatch(l -> l.startsWith("Did you mean: status"))
        .contains("Try 'kafka-dedup --help' for more information.");
  }

  @Test
  void helpFitsTheTerminalWidthFromColumns() {
    StringWriter wide = new StringWriter();
    KafkaDedupCli.run(new String[] {"status", "--help"}, new PrintWriter(wide, true), new PrintWriter(wide, true),
        Map.of("COLUMNS", "160"));
    assertThat(wide.toString().lines().mapToInt(String::length).max().orElse(0)).isBetween(101, 160);
    StringWriter narrow = new StringWriter();
    KafkaDedupCli.run(new String[] {"status", "--help"}, new PrintWriter(narrow, true),
        new PrintWriter(narrow, true), Map.of("COLUMNS", "70"));
    assertThat(narrow.toString().lines().mapToInt(String::length).max().orElse(0)).isLessThanOrEqualTo(70);
  }

  @Test
  void tablesCutTheWidestColumnToFitTheTerminal() {
    assertThat(TextTable.fit(new int[] {10, 40, 5}, 40)).containsExactly(10, 21, 5);
    assertThat(TextTable.fit(new int[] {10, 40, 5}, 0)).containsExactly(10, 40, 5);
    StringWriter out = new StringWriter();
    Terminal.setCurrent(new Terminal(30, false));
    try {
      new TextTable("SCOPE", "WHY").row("orders", "lag 4200 > 1000, last batch 3 s ago").print(new PrintWriter(out));
    } finally {
      Terminal.setCurrent(null);
    }
    assertThat(out.toString().lines()).allMatch(l -> l.length() <= 30).contains("orders  lag 4200 > 1000, last~");
  }

  @Test
  void colourOnlyWhereAskedAndNeverWithNoColor() {
    assertThat(Terminal.of(Map.of()).colour()).as("not a terminal (tests run without one)").isFalse();
    assertThat(Terminal.of(Map.of("CLICOLOR_FORCE", "1")).paint("STUCK")).isEqualTo("\u001b[31;1mSTUCK\u001b[0m");
    assertThat(Terminal.of(Map.of("CLICOLOR_FORCE", "1", "NO_COLOR", "1")).paint("STUCK")).isEqualTo("STUCK");
    assertThat(Terminal.of(Map.of("CLICOLOR_FORCE", "1", "TERM", "dumb")).colour()).isFalse();
    assertThat(Terminal.of(Map.of("CLICOLOR_FORCE", "1")).paint("orders")).isEqualTo("orders");
  }

  @Test
  void agesReadAsAnOperatorSaysThem() {
    assertThat(Ages.ago(42L)).isEqualTo("42 s ago");
    assertThat(Ages.of(600L)).isEqualTo("10 min");
    assertThat(Ages.of(7500L)).isEqualTo("2 h 5 min");
    assertThat(Ages.of(3 * 86_400L + 3600)).isEqualTo("3 d 1 h");
    assertThat(Ages.of(null)).isEqualTo("-");
  }

  @Test
  void hostAndPortAsTheUrlNamesThem() {
    assertThat(Tables.hostOf("jdbc:postgresql://db1:6432/app?ssl=true")).isEqualTo("db1:6432");
    assertThat(Tables.hostOf("jdbc:postgresql://db1/app")).isEqualTo("db1:5432");
    assertThat(Tables.hostOf("jdbc:postgresql:app")).isEqualTo("localhost:5432");
  }

  @Test
  void verdictsFollowTheThresholds() {
    Verdicts.Thresholds th = new Verdicts.Thresholds(1000, 300);
    Map<String, Object> beat = new java.util.HashMap<>(Map.of("seenAge", 2L, "progressAge", 3L, "startedAge", 99L));
    assertThat(Verdicts.of("s", "g", 0L, 1, List.of(beat), th).get("verdict")).isEqualTo("OK");
    assertThat(Verdicts.of("s", "g", 5000L, 1, List.of(beat), th).get("verdict")).isEqualTo("LAGGING");
    assertThat(Verdicts.of("s", "g", 5000L, 0, List.of(beat), th).get("verdict")).isEqualTo("NO CONSUMERS");
    beat.put("progressAge", 301L);
    assertThat(Verdicts.of("s", "g", 1L, 1, List.of(beat), th)).containsEntry("verdict", "STUCK")
        .containsEntry("why", "lag 1 and last batch 5 min ago (> 5 min)");
    assertThat(Verdicts.of("s", "g", 0L, 1, List.of(beat), th).get("verdict")).as("idle, caught up").isEqualTo("OK");
    assertThat(Verdicts.of("s", "g", 5000L, 1, List.of(), th)).containsEntry("verdict", "LAGGING")
        .extractingByKey("why").asString().contains("STUCK cannot be told");
    assertThat(Verdicts.of("s", "g", null, null, List.of(), th).get("verdict")).isEqualTo("UNKNOWN");
  }
}
