package io.github.kafkadedup.benchmarks.e2e;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.testsupport.TestKafka;
import java.io.IOException;

/**
 * A consumer JVM of its own for {@code EndToEnd --consumer-jvms N}: joins the run's consumer group with the
 * mode's consumers ({@link Group}) and applies records until its standard input closes (the harness closes
 * it, or dies), then exits. The broker comes from {@code DEDUP_TEST_KAFKA_BOOTSTRAP}, set by the harness.
 * Args: mode topic groupId jdbcUrl user password consumers maxPollRecords rowsPerRecord.
 */
public final class GroupMember {
  private GroupMember() {}

  /**
   * Runs the member.
   *
   * @param args mode topic groupId jdbcUrl user password consumers maxPollRecords rowsPerRecord
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Mode mode = Mode.valueOf(args[0]);
    E2eOptions options = E2eOptions.parse("--modes", args[0].toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
        "--consumers", args[6], "--max-poll-records", args[7], "--rows-per-record", args[8]);
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[3]);
    hc.setUsername(args[4]);
    hc.setPassword(args[5]);
    hc.setMaximumPoolSize(options.consumers() + 1);
    try (HikariDataSource pool = new HikariDataSource(hc);
        Group group = new Group(mode, options, TestKafka.get().consumerProps(args[2]), args[1], pool,
            new RunProbe(Long.MAX_VALUE))) {
      System.out.println("MEMBER-STARTED " + mode);
      awaitParentGone();
    }
    System.exit(0);
  }

  private static void awaitParentGone() {
    try {
      while (System.in.read() >= 0) {
        // the harness writes nothing: read() returns -1 when it closes the pipe or dies
      }
    } catch (IOException e) {
      // the pipe broke: the harness is gone
    }
  }
}
