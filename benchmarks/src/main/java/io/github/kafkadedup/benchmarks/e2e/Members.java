package io.github.kafkadedup.benchmarks.e2e;

import io.github.kafkadedup.benchmarks.BenchDatabase;
import io.github.kafkadedup.testsupport.ChildJvm;
import io.github.kafkadedup.testsupport.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link GroupMember} JVMs of a run with {@code --consumer-jvms N} (N - 1 of them; none for 1): started,
 * and their consumers subscribed, before this JVM's consumers start, on the same topic, group and database;
 * killed on close. The first member takes every partition until the others join and the group rebalances:
 * runs of 1,000,000 records keep that transient small.
 */
final class Members implements AutoCloseable {
  private final List<ChildJvm> jvms = new ArrayList<>();

  private Members() {}

  static Members start(Mode mode, E2eOptions options, String topic, String groupId, BenchDatabase db) {
    Members members = new Members();
    for (int i = 1; i < options.consumerJvms(); i++) {
      members.jvms.add(ChildJvm.builder(GroupMember.class).name("e2e-member-" + i)
          .jvmArgs("-Xmx1g")
          .env("DEDUP_TEST_KAFKA_BOOTSTRAP", TestKafka.get().bootstrapServers())
          .args(mode.name(), topic, groupId, db.jdbcUrl(), db.user(), db.password(),
              String.valueOf(options.consumers()), String.valueOf(options.maxPollRecords()),
              String.valueOf(options.rowsPerRecord()))
          .start());
    }
    for (ChildJvm jvm : members.jvms) { // they join the group before this JVM's consumers start
      jvm.awaitLine("MEMBER-STARTED", Duration.ofSeconds(300));
    }
    return members;
  }

  /** Whether this run has no other consumer JVM. */
  boolean none() {
    return jvms.isEmpty();
  }

  /** Waits until {@code table} holds {@code rows} rows; a member that died fails the run. */
  void awaitRows(BenchDatabase db, String table, long rows, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (db.queryLong("SELECT count(*) FROM " + table) < rows) {
      for (ChildJvm jvm : jvms) {
        if (!jvm.isAlive()) {
          throw new IllegalStateException(jvm.name() + " died:\n" + jvm.tail());
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(table + " did not reach " + rows + " rows in " + timeout);
      }
      Thread.sleep(200); // rows are counted in the database: polled
    }
  }

  /** Seconds between the first and the last business transaction's start ({@code created_at = now()}). */
  static double seconds(BenchDatabase db, String table) {
    long micros = db.queryLong("SELECT (extract(epoch FROM max(created_at) - min(created_at)) * 1e6)::bigint FROM "
        + table);
    return Math.max(micros, 1) / 1e6;
  }

  @Override
  public void close() {
    jvms.forEach(ChildJvm::close);
  }
}
