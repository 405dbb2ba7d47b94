package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.testsupport.ChildJvm;
import io.github.kafkadedup.testsupport.TestKafka;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A slow handler: each batch of 10 records takes about 4 s against {@code max.poll.interval.ms=6000}, so
 * every batch runs past half the limit (and, on a loaded machine, a batch may cross it: the group then
 * evicts the consumer and the other one re-reads the batch). No effect may be doubled, and the engine must
 * say so clearly: its WARN line "more than half of max.poll.interval.ms".
 */
class SlowHandlerScenarioIT {
  private static final TestKafka kafka = TestKafka.get();
  private static ReliabilityDb db;

  @BeforeAll
  static void setUp() {
    db = ReliabilityDb.create("slow");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void aHandlerNearMaxPollIntervalDoublesNothingAndIsWarnedAbout() {
    long seed = Sizes.seed(8001);
    String topic = Topics.withDlt(kafka, "slow-handler", 2);
    Scenario scenario = new Scenario("slow handler", seed, db, kafka.bootstrapServers());
    try (Publisher publisher = new Publisher(kafka.bootstrapServers(), topic, seed, 0.10, 0.01);
        ChildConsumers children = new ChildConsumers(db, kafka.bootstrapServers(), topic, "g-" + topic)) {
      publisher.publish(Sizes.pick(60, 600));
      String[] slow = {"maxPollRecords=10", "maxPollIntervalMs=6000", "pauseMs=400"};
      List<ChildJvm> consumers = List.of(children.start(slow), children.start(slow));
      scenario.verify(publisher.workload(), Duration.ofSeconds(Sizes.pick(180, 900)), true);
      String warning = consumers.get(0).output().stream().filter(l -> l.contains("more than half of max.poll.interval.ms"))
          .findFirst().orElseGet(() -> consumers.get(1).awaitLine("more than half of max.poll.interval.ms",
              Duration.ofSeconds(5)));
      assertThat(warning).contains("WARN").contains("max.poll.interval.ms=6000").contains("lower max.poll.records");
      System.out.println("[reliability] slow handler: the engine warned: " + warning);
    }
  }
}
