package io.github.kafkadedup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drives {@code ./kafka-dedup} in a real terminal (a detached tmux session) as a person on call would:
 * types the commands, reads the screen. The launcher finds the JDK and runs the jar this build packaged.
 */
class LauncherTerminalIT {
  private static final String SESSION = "kafka-dedup-it-" + UUID.randomUUID().toString().substring(0, 8);
  private static final Duration WAIT = Duration.ofSeconds(90);

  private static TestDatabase db;
  private static int commands;

  @BeforeAll
  static void startTerminal() throws Exception {
    db = TestPostgres.get().createDatabase("cli_terminal");
    Path root = Path.of(System.getProperty("dedup.repo.root", "..")).toRealPath();
    assertThat(root.resolve("kafka-dedup")).isExecutable();
    tmux("new-session", "-d", "-s", SESSION, "-x", "200", "-y", "50", "-c", root.toString(), "bash --norc --noprofile");
    type("export PS1='$ ' DEDUP_JDBC_URL='" + db.jdbcUrl() + "' DEDUP_JDBC_USER='" + db.user() + "'");
    type("clear");
  }

  @AfterAll
  static void stopTerminal() throws Exception {
    tmux("kill-session", "-t", SESSION);
    if (db != null) {
      db.close();
    }
  }

  @Test
  void anOperatorMigratesLooksUpAndGetsStatusInATerminal() throws Exception {
    String refused = run("./kafka-dedup migrate", "apply them? [y/N]", "n");
    assertThat(refused).contains("migrate will apply version(s) 1, 2, 3, 4, 5, 6, 7, 8 to database " + db.name())
        .contains(", schema public").contains("migrate: nothing applied (not confirmed)").contains("EXIT=2");
    String migrate = run("./kafka-dedup migrate", "apply them? [y/N]", "y");
    assertThat(migrate).contains("applied to public:").contains("now at version 8").contains("EXIT=0");

    String lookup = run("./kafka-dedup lookup --scope orders --key order-42");
    assertThat(lookup).contains("NOT FOUND  scope 'orders', key 'order-42'").contains("EXIT=1");

    String status = run("./kafka-dedup status");
    assertThat(status).contains("kafka-dedup status: database ").contains("schema public, role ").contains("schema version 8").contains("Generations")
        .containsPattern("1 +\\S+Z +- +current").contains("EXIT=0");

    String usage = run("./kafka-dedup forget --scope orders --key order-42");
    assertThat(usage).contains("Missing required option: '--reason=TEXT'").contains("EXIT=2")
        .contains("Try 'kafka-dedup forget --help' for more information.").doesNotContain("Usage:");
  }

  @Test
  void helpFitsTheTerminalAndStatesAreColouredUnlessNoColor() throws Exception {
    String help = run("./kafka-dedup status --help");
    assertThat(help.lines().mapToInt(String::length).max().orElse(0)).as("a 200-column terminal: %s", help)
        .isBetween(101, 200);
    assertThat(run("./kafka-dedup migrate --yes --schema colours")).contains("EXIT=0"); // apart from the other test's
    String coloured = run("./kafka-dedup lookup --schema colours --scope orders --key order-42", true);
    assertThat(coloured).as("colour on a terminal").contains("\u001b[").contains("NOT FOUND");
    String plain = run("NO_COLOR=1 ./kafka-dedup lookup --schema colours --scope orders --key order-42", true);
    assertThat(plain).as("NO_COLOR").doesNotContain("\u001b[").contains("NOT FOUND");
  }

  private static String run(String command) throws Exception {
    return run(command, false);
  }

  private static String run(String command, boolean escapes) throws Exception {
    return run(command, escapes, null, null);
  }

  private static String run(String command, String question, String answer) throws Exception {
    return run(command, false, question, answer);
  }

  /**
   * Types {@code command}, then prints its exit code, and returns the screen once the code appears;
   * {@code escapes}: with the terminal's colour sequences; types {@code answer} once {@code question} is on the
   * screen (if not null).
   */
  private static String run(String command, boolean escapes, String question, String answer) throws Exception {
    boolean answered = question == null;
    type("clear");
    String marker = "DONE" + (++commands) + " EXIT=";
    type(command + "; echo " + marker + "$?");
    Instant deadline = Instant.now().plus(WAIT);
    String screen = "";
    while (Instant.now().isBefore(deadline)) {
      screen = escapes ? tmux("capture-pane", "-p", "-e", "-t", SESSION, "-S", "-200")
          : tmux("capture-pane", "-p", "-t", SESSION, "-S", "-200");
      if (!answered && screen.contains(question)) {
        type(answer);
        answered = true;
      }
      if (screen.lines().anyMatch(l -> l.replaceAll("\u001b\\[[0-9;]*m", "").matches(marker + "\\d+"))) {
        return screen.substring(screen.lastIndexOf("$ " + command));
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no exit code on the screen within " + WAIT + " after: " + command + "\n" + screen);
  }

  private static void type(String line) throws Exception {
    tmux("send-keys", "-t", SESSION, "-l", line);
    tmux("send-keys", "-t", SESSION, "Enter");
  }

  private static String tmux(String... args) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(concat("tmux", args)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("tmux " + String.join(" ", args) + " failed: " + out);
    }
    return out;
  }

  private static List<String> concat(String first, String... rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(rest));
    return all;
  }
}
