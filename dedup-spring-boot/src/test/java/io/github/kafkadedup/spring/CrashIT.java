package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.testsupport.ChildJvm;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** A Spring Boot service in a child JVM that dies (halt or SIGKILL): every order still applied exactly once. */
class CrashIT {

  private static ChildJvm service(SpringFixture f, int haltAfter) {
    return ChildJvm.builder(OrderServiceMain.class).name("order-service-" + f.topic)
        .args(f.kafka.bootstrapServers(), f.db.jdbcUrl(), f.db.user(), f.db.password(), f.topic, f.group,
            String.valueOf(haltAfter))
        .start();
  }

  private static void assertExactlyOnce(SpringFixture f, int unique) {
    assertThat(f.count("SELECT count(DISTINCT order_key) FROM orders")).as("nothing lost").isEqualTo(unique);
    assertThat(f.count("SELECT count(*) FROM orders")).as("nothing doubled").isEqualTo(unique);
  }

  @Test
  void haltBetweenTheDatabaseCommitAndTheOffsetCommitAppliesNothingTwice() {
    try (SpringFixture f = new SpringFixture("spring-halt")) {
      List<String[]> orders = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        orders.add(new String[] {"o" + i, "v" + i});
      }
      f.sendAll(orders);
      try (ChildJvm first = service(f, 20)) {
        first.awaitLine("db-committed 20", Duration.ofSeconds(120));
        assertThat(first.waitFor(Duration.ofSeconds(30))).isEqualTo(137);
      }
      // the transaction of the 20th record committed (with the rest of its poll: one transaction per poll)
      long applied = f.count("SELECT count(*) FROM orders");
      assertThat(applied).as("committed to PostgreSQL").isBetween(20L, 50L);
      long committedBefore = Math.max(0, f.committed());
      assertThat(committedBefore).as("offsets of the applied records not all committed").isLessThan(applied);

      ConfigurableApplicationContext survivor = f.start(RecordListenerIT.RecordApp.class);
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 50);
      assertExactlyOnce(f, 50);
      assertThat(survivor.getBean(MeterRegistry.class).get("kafka.dedup.duplicates").tag("cause", "redelivery")
          .counter().count()).as("redelivered records recognised").isEqualTo(applied - committedBefore);
    }
  }

  @Test
  void sigkillWhileProcessingLosesAndDoublesNothing() {
    long seed = System.nanoTime();
    System.out.println("sigkillWhileProcessing seed=" + seed);
    Random random = new Random(seed);
    try (SpringFixture f = new SpringFixture("spring-sigkill")) {
      int unique = 1_000;
      List<String[]> orders = new ArrayList<>();
      for (int i = 0; i < unique; i++) {
        orders.add(new String[] {"o" + i, "v" + i});
        if (random.nextInt(10) == 0) {
          int j = random.nextInt(i + 1);
          orders.add(new String[] {"o" + j, "resend-" + j});
        }
      }
      f.sendAll(orders);
      ChildJvm victim = service(f, 0);
      long target = 200 + random.nextInt(500);
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(random.nextInt(20) + 5))
          .until(() -> f.count("SELECT count(*) FROM orders") >= target);
      victim.kill();
      victim.close();

      f.start(RecordListenerIT.RecordApp.class);
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
          assertThat(f.count("SELECT count(DISTINCT order_key) FROM orders")).isEqualTo(unique));
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertExactlyOnce(f, unique));
    }
  }
}
