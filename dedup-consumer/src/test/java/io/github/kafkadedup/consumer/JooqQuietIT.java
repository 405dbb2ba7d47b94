package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.testsupport.ChildJvm;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * jOOQ stays quiet in the application's log when kafka-dedup hands out its {@code DSLContext}: no banner,
 * no "tip of the day", no "Version mismatch" WARN (which jOOQ logs on PostgreSQL older than 18; run this
 * with {@code DEDUP_TEST_JDBC_URL} pointing at a PostgreSQL 13-17 to see that case), and the handler's jOOQ
 * statements work on that server. Each case runs in a fresh JVM with jOOQ's loggers at INFO, because jOOQ
 * prints each of these messages once per JVM.
 */
class JooqQuietIT {
  /** jOOQ 3.21's open-source POSTGRES dialect supports PostgreSQL 18 and warns on anything older. */
  private static final int OLDEST_WITHOUT_VERSION_WARNING = 18;
  private static TestDatabase db;

  @BeforeAll
  static void setUp() {
    db = TestPostgres.get().createDatabase("jooq_quiet");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  private static List<String> run(String mode) {
    try (ChildJvm child = ChildJvm.builder(JooqQuietMain.class).name("jooq-quiet-" + mode)
        .systemProperty("log4j2.configurationFile", "log4j2-jooq-info.xml")
        .args(db.jdbcUrl(), db.user(), db.password(), mode).start()) {
      assertThat(child.waitFor(Duration.ofSeconds(60))).as(child.tail()).isZero();
      return child.output();
    }
  }

  private static int serverMajor(String output) {
    Matcher m = Pattern.compile("server (\\d+)").matcher(output);
    assertThat(m.find()).as("the child printed the server version").isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test
  void withoutKafkaDedupJooqPrintsItsBannerAndTip() {
    // the control: proves the capture below would see jOOQ's messages
    String all = String.join("\n", run("plain-jooq"));
    assertThat(all).contains("jOOQ tip of the day");
    if (serverMajor(all) < OLDEST_WITHOUT_VERSION_WARNING) {
      assertThat(all).contains("Version mismatch");
    }
  }

  @Test
  void theHandlersDslContextIsQuietAndWorksOnThisServer() {
    List<String> output = run("dedup");
    String all = String.join("\n", output);

    assertThat(all).contains("processed 3 rows 2 updates 3")
        .doesNotContain("tip of the day", "Thank you for using jOOQ", "Version mismatch", "@@@@@@@");
    System.out.println(output.stream().filter(l -> l.startsWith("server ")).findFirst().orElse("server ?"));
  }
}
