package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.testsupport.TestKafka;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL server is stopped (fast shutdown: every connection cut, in-flight transactions rolled
 * back) and started again on the same port while a stream is consumed; the consumers' HikariCP pools
 * reconnect and the loop continues. The embedded server belongs to the whole test JVM; the build runs
 * every scenario class in a JVM of its own, so no other class sees the restart.
 */
class PostgresRestartScenarioIT {
  private static final TestKafka kafka = TestKafka.get();
  private static ReliabilityDb db;

  @BeforeAll
  static void setUp() {
    db = ReliabilityDb.create("pg_restart");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void postgresRestartedMidRunLosesAndDoublesNothing() throws Exception {
    assertThat(TestPostgres.get().canRestart()).as("needs the embedded PostgreSQL (it restarts it)").isTrue();
    long seed = Sizes.seed(4001);
    Random random = new Random(seed);
    int restarts = Sizes.pick(1, 4);
    Duration pace = Duration.ofSeconds(Sizes.pick(12, 120));
    String topic = Topics.withDlt(kafka, "pg-restart", 3);
    Scenario scenario = new Scenario("postgres restart", seed, db, kafka.bootstrapServers());
    try (Publisher publisher = new Publisher(kafka.bootstrapServers(), topic, seed, 0.10, 0.001);
        Consumers consumers = new Consumers(db, kafka.bootstrapServers(), topic, "g-" + topic, 4)) {
      consumers.start("a");
      consumers.start("b");
      Thread publishing = publisher.publishPacedInBackground(Sizes.pick(3_000, 24_000), pace);
      long gap = pace.toMillis() / (restarts + 1);
      for (int i = 0; i < restarts; i++) {
        Thread.sleep(gap / 2 + random.nextLong(gap / 2));
        long start = System.nanoTime();
        restartKeepingTheData();
        scenario.fault("PostgreSQL restarted (down for " + (System.nanoTime() - start) / 1_000_000 + " ms)");
      }
      publishing.join();
      scenario.verify(publisher.workload(), Duration.ofSeconds(Sizes.pick(120, 600)), false);
      assertThat(consumers.failures()).as("consumer loops that died").isEmpty();
    }
  }

  /**
   * {@code TestPostgres.restart()}, keeping the data: the embedded server was started to clean its data
   * directory, and zonky's {@code EmbeddedPostgres.close()} then deletes it, unless {@code ot.epg.no-cleanup}
   * is set (the restarted server keeps its directory anyway).
   */
  private static void restartKeepingTheData() {
    System.setProperty("ot.epg.no-cleanup", "true");
    try {
      TestPostgres.get().restart();
    } finally {
      System.clearProperty("ot.epg.no-cleanup");
    }
  }
}
