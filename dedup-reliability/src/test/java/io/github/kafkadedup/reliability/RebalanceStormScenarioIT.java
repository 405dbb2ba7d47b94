package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.testsupport.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rebalance storm: between three and five consumers of one group, one joining or leaving every one to
 * three seconds, while a stream with re-sends and poison is consumed. Eager assignment (range: every
 * rebalance revokes every partition), cooperative assignment (cooperative-sticky: only moved partitions
 * are revoked), and the new consumer group protocol (KIP-848, assignment by the broker).
 */
class RebalanceStormScenarioIT {
  private static final TestKafka kafka = TestKafka.get();
  private static ReliabilityDb db;

  @BeforeAll
  static void setUp() {
    db = ReliabilityDb.create("storm");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"eager-range", "cooperative-sticky", "consumer-protocol"})
  void consumersJoiningAndLeavingLoseAndDoubleNothing(String assignment) throws Exception {
    long seed = Sizes.seed(6000 + assignment.length());
    Random random = new Random(seed);
    Duration storm = Duration.ofSeconds(Sizes.pick(12, 120));
    String topic = Topics.withDlt(kafka, "storm-" + assignment, 6);
    Map<String, Object> props = switch (assignment) {
      case "eager-range" -> Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
      case "cooperative-sticky" -> Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
          CooperativeStickyAssignor.class.getName());
      default -> Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
    };
    Scenario scenario = new Scenario("rebalance storm (" + assignment + ")", seed, db, kafka.bootstrapServers());
    try (Publisher publisher = new Publisher(kafka.bootstrapServers(), topic, seed, 0.10, 0.001);
        Consumers consumers = new Consumers(db, kafka.bootstrapServers(), topic, "g-" + topic, 8)) {
      int started = 0;
      for (; started < 3; started++) {
        consumers.start("c" + started, props, new EffectsHandler("c" + started), false);
      }
      Thread publishing = publisher.publishPacedInBackground(Sizes.pick(3_000, 30_000), storm);
      long end = System.nanoTime() + storm.toNanos();
      while (System.nanoTime() < end) {
        Thread.sleep(1_000 + random.nextInt(2_000)); // the storm's rhythm: a change every 1 to 3 s
        List<String> members = consumers.names();
        boolean join = members.size() == 3 || (members.size() < 5 && random.nextBoolean());
        if (join) {
          String name = "c" + started++;
          consumers.start(name, props, new EffectsHandler(name), false);
          scenario.fault(name + " joined (" + (members.size() + 1) + " members)");
        } else {
          String leaving = members.get(random.nextInt(members.size()));
          consumers.stop(leaving);
          scenario.fault(leaving + " left (" + (members.size() - 1) + " members)");
        }
      }
      publishing.join();
      scenario.verify(publisher.workload(), Duration.ofSeconds(Sizes.pick(120, 600)), true);
      assertThat(consumers.failures()).as("consumer loops that died").isEmpty();
    }
  }
}
