package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.testsupport.ChildJvm;
import io.github.kafkadedup.testsupport.Readiness;
import io.github.kafkadedup.testsupport.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Consumers in child JVMs crash at named points of the engine's path (a fault-injection switch halts the
 * JVM there) and at random moments (SIGKILL from the test), while the input, with injected re-sends and
 * a few poison messages, keeps arriving. Fast: 5,000 messages and 4 crashes; soak: 100,000 messages and
 * 20 crashes.
 */
class ConsumerCrashScenarioIT {
  private static final TestKafka kafka = TestKafka.get();
  private static ReliabilityDb db;

  @BeforeAll
  static void setUp() {
    db = ReliabilityDb.create("crash");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  /**
   * One consumer halts at {@code point} after a random number of records; a second consumer then takes
   * over. The crash window must leave no trace: no claim without its effect, no lost or doubled message.
   * After a halt between the database commit and the offset commit the successor must meet the
   * committed records again and skip them as redeliveries (the window was really hit).
   */
  @ParameterizedTest
  @EnumSource(value = HaltSwitch.Point.class, names = {"BEFORE_CLAIM", "AFTER_CLAIM", "AFTER_DB_COMMIT"})
  void aConsumerHaltedAtANamedPointLosesAndDoublesNothing(HaltSwitch.Point point) {
    long seed = Sizes.seed(1000 + point.ordinal());
    Random random = new Random(seed);
    String topic = Topics.withDlt(kafka, "halt-" + point.label(), 3);
    String group = "g-" + topic;
    Scenario scenario = new Scenario("halt " + point.label(), seed, db, kafka.bootstrapServers());
    try (Publisher publisher = new Publisher(kafka.bootstrapServers(), topic, seed, 0.10, 0.002);
        ChildConsumers children = new ChildConsumers(db, kafka.bootstrapServers(), topic, group)) {
      publisher.publish(Sizes.pick(1_500, 20_000));
      int haltAfter = 100 + random.nextInt(1_000);
      ChildJvm victim = children.start("halt=" + point.label() + "@" + haltAfter, "maxPollRecords=100");
      // includes the child JVM's start (10-30 s at load 20): a generous bound, ended at once if the child dies
      String halted = victim.awaitLine(HaltSwitch.HALTED, Readiness.BOUND);
      assertThat(victim.waitFor(Duration.ofSeconds(30))).as("halted, not exited").isEqualTo(137);
      scenario.fault(halted);
      assertThat(scenario.claimsWithoutEffect(topic)).as("claims of the halted transaction rolled back").isZero();
      long before = scenario.effects(topic);

      ChildJvm successor = children.start();
      Scenario.Outcome outcome = scenario.verify(publisher.workload(), Duration.ofSeconds(120), true);
      assertThat(outcome.faults()).isEqualTo(1);
      if (point == HaltSwitch.Point.AFTER_DB_COMMIT) {
        assertThat(before).as("the halted batch was committed to PostgreSQL").isPositive();
        successor.awaitLine(l -> l.contains(" redeliveries") && !l.contains(" 0 redeliveries"),
            Duration.ofSeconds(30));
      }
    }
  }

  /**
   * Two consumers process a stream published at a steady pace; at random moments one of them is
   * SIGKILLed (and replaced), or a third consumer joins armed to halt at a named point after a random
   * number of records. Crash kinds are drawn evenly, in a seeded order.
   */
  @Test
  void randomCrashesDuringAStreamLoseAndDoubleNothing() throws Exception {
    long seed = Sizes.seed(2026);
    Random random = new Random(seed);
    int messages = Sizes.pick(5_000, 100_000);
    int crashes = Sizes.pick(4, 20);
    Duration pace = Duration.ofSeconds(Sizes.pick(25, 300));
    String topic = Topics.withDlt(kafka, "random-crash", 4);
    String group = "g-" + topic;
    Scenario scenario = new Scenario("random crashes", seed, db, kafka.bootstrapServers());
    List<String> kinds = new ArrayList<>();
    for (int i = 0; i < crashes; i++) {
      kinds.add(List.of("sigkill", "before-claim", "after-claim", "after-db-commit").get(i % 4));
    }
    Collections.shuffle(kinds, random);
    try (Publisher publisher = new Publisher(kafka.bootstrapServers(), topic, seed, 0.10, 0.0005);
        ChildConsumers children = new ChildConsumers(db, kafka.bootstrapServers(), topic, group)) {
      List<ChildJvm> live = new ArrayList<>(List.of(children.start(), children.start()));
      Thread publishing = publisher.publishPacedInBackground(messages, pace);
      long gapMillis = pace.toMillis() / (crashes + 1);
      for (String kind : kinds) {
        Thread.sleep(gapMillis / 2 + random.nextLong(gapMillis / 2)); // a random moment of the run
        if (kind.equals("sigkill")) {
          ChildJvm victim = live.remove(random.nextInt(live.size()));
          victim.kill();
          scenario.fault("SIGKILL " + victim.name());
          live.add(children.start());
        } else {
          ChildJvm armed = children.start("halt=" + kind + "@" + (1 + random.nextInt(100)));
          scenario.fault(awaitHalt(armed, publisher, publishing) + " (" + armed.name() + ")");
          assertThat(armed.waitFor(Duration.ofSeconds(30))).isEqualTo(137);
        }
      }
      publishing.join();
      live.forEach(c -> assertThat(c.isAlive()).as("%s still runs", c.name()).isTrue());
      Scenario.Outcome outcome = scenario.verify(publisher.workload(), Duration.ofSeconds(Sizes.pick(180, 900)),
          false);
      assertThat(outcome.faults()).isEqualTo(crashes);
    }
  }

  /**
   * Waits until an armed consumer halts. It halts once it has seen its records; should the paced input
   * be over by then, a few more messages are published each second so it gets some.
   */
  private static String awaitHalt(ChildJvm armed, Publisher publisher, Thread publishing) {
    long deadline = System.nanoTime() + Readiness.BOUND.toNanos(); // includes the armed JVM's start
    while (System.nanoTime() < deadline) {
      try {
        return armed.awaitLine(HaltSwitch.HALTED, Duration.ofSeconds(1));
      } catch (AssertionError notYet) {
        if (!armed.isAlive()) {
          throw notYet;
        }
        if (!publishing.isAlive()) {
          publisher.publish(20);
        }
      }
    }
    throw new AssertionError(armed.name() + " did not halt within " + Readiness.BOUND + "; " + armed.describe()
        + "; last output:\n" + armed.tail());
  }
}
