package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.testsupport.TestKafka;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PostgreSQL cuts the consumers' connections ({@code pg_terminate_backend} of every backend of the runtime
 * role) at random moments while a stream with re-sends and poison is consumed: mid-claim, mid-handler,
 * mid-commit (an unknown commit outcome) or mid-dead-letter. The engine retries on a new pooled connection
 * and the loop keeps running. Both modes: offsets in Kafka only, and offsets in PostgreSQL too.
 */
class PostgresFaultScenarioIT {
  private static final TestKafka kafka = TestKafka.get();
  private static ReliabilityDb db;

  @BeforeAll
  static void setUp() {
    db = ReliabilityDb.create("pg_faults");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @ParameterizedTest(name = "offsetsInDatabase={0}")
  @ValueSource(booleans = {false, true})
  void connectionsTerminatedAtRandomLoseAndDoubleNothing(boolean offsetsInDatabase) throws Exception {
    long seed = Sizes.seed(offsetsInDatabase ? 3002 : 3001);
    Random random = new Random(seed);
    int terminations = Sizes.pick(5, 30);
    Duration pace = Duration.ofSeconds(Sizes.pick(12, 120));
    String topic = Topics.withDlt(kafka, "pg-terminate", 3);
    Scenario scenario = new Scenario("pg_terminate_backend" + (offsetsInDatabase ? " (offsets in db)" : ""),
        seed, db, kafka.bootstrapServers());
    try (Publisher publisher = new Publisher(kafka.bootstrapServers(), topic, seed, 0.10, 0.001);
        Consumers consumers = new Consumers(db, kafka.bootstrapServers(), topic, "g-" + topic, 6)) {
      for (String name : new String[] {"a", "b"}) {
        consumers.start(name, Map.of(), new EffectsHandler(name), offsetsInDatabase);
      }
      Thread publishing = publisher.publishPacedInBackground(Sizes.pick(3_000, 30_000), pace);
      long gap = pace.toMillis() / (terminations + 1);
      while (scenario.faults() < terminations) {
        Thread.sleep(gap / 2 + random.nextLong(gap)); // a random moment
        if (!publishing.isAlive()) {
          publisher.publish(50); // idle consumers hold no connection: keep them busy until every cut has landed
        }
        long cut = db.terminateAppConnections();
        if (cut > 0) {
          scenario.fault("pg_terminate_backend cut " + cut + " connection(s) of the runtime role");
        }
      }
      publishing.join();
      scenario.verify(publisher.workload(), Duration.ofSeconds(Sizes.pick(120, 600)), false);
      assertThat(consumers.failures()).as("consumer loops that died").isEmpty();
      assertThat(consumers.names()).hasSize(2);
    }
  }
}
