package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.testsupport.KafkaBrokerProcess;
import io.github.kafkadedup.testsupport.Readiness;
import io.github.kafkadedup.testsupport.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker (a KRaft broker in a JVM of its own) is SIGKILLed mid-run and started again on the same
 * ports and data; the producer rides it out (idempotent, long delivery timeout), the consumers' offset
 * commits fail meanwhile (the records are then redelivered and skipped), and consumption resumes.
 */
class BrokerFaultScenarioIT {
  private static KafkaBrokerProcess broker;
  private static ReliabilityDb db;

  @BeforeAll
  static void setUp() {
    broker = KafkaBrokerProcess.start();
    db = ReliabilityDb.create("broker_fault");
  }

  @AfterAll
  static void tearDown() {
    db.close();
    broker.close();
  }

  @Test
  void brokerKilledAndRestartedMidRunLosesAndDoublesNothing() throws Exception {
    long seed = Sizes.seed(5001);
    Random random = new Random(seed);
    int outages = Sizes.pick(1, 3);
    Duration pace = Duration.ofSeconds(Sizes.pick(12, 150));
    String topic = "broker-fault-" + Long.toHexString(seed);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1), new NewTopic(topic + ".DLT", 1, (short) 1)))
          .all().get(Readiness.BOUND.toSeconds(), TimeUnit.SECONDS);
      TestKafka.awaitLeaders(admin, topic, 3);
      TestKafka.awaitLeaders(admin, topic + ".DLT", 1);
    }
    Scenario scenario = new Scenario("broker kill+restart", seed, db, broker.bootstrapServers());
    try (Publisher publisher = new Publisher(broker.bootstrapServers(), topic, seed, 0.10, 0.001);
        Consumers consumers = new Consumers(db, broker.bootstrapServers(), topic, "g-" + topic, 4)) {
      consumers.start("a");
      consumers.start("b");
      Thread publishing = publisher.publishPacedInBackground(Sizes.pick(3_000, 30_000), pace);
      long gap = pace.toMillis() / (outages + 1);
      for (int i = 0; i < outages; i++) {
        Thread.sleep(gap / 2 + random.nextLong(gap / 2)); // a random moment of the run
        broker.kill();
        long down = System.nanoTime();
        Thread.sleep(1_000 + random.nextInt(2_000)); // the outage itself
        broker.restart();
        scenario.fault("broker SIGKILLed and restarted (down " + (System.nanoTime() - down) / 1_000_000 + " ms)");
      }
      publishing.join();
      scenario.verify(publisher.workload(), Duration.ofSeconds(Sizes.pick(180, 600)), false);
      assertThat(consumers.failures()).as("consumer loops that died").isEmpty();
    }
  }
}
