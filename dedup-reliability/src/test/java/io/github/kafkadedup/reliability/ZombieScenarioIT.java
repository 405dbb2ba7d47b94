package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.testsupport.TestKafka;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A zombie: a consumer stalls inside its handler (a GC pause, a stuck call) with its transaction open and
 * its keys claimed, past {@code max.poll.interval.ms}; the group evicts it and a successor takes its
 * partitions and re-reads the stalled batch. The successor's claims of the same keys block on the
 * zombie's uncommitted rows (observed in {@code pg_stat_activity}); then the zombie resumes.
 *
 * <ul>
 *   <li>Key claims only: the zombie commits first, the successor's claims then conflict and its records
 *       are skipped as redeliveries; the zombie's Kafka commit fails. One effect, the zombie's.
 *   <li>Offsets in PostgreSQL: the zombie's transaction is fenced (the successor took a newer generation)
 *       and rolls back; the successor applies the batch. One effect, the successor's.
 * </ul>
 */
class ZombieScenarioIT {
  private static final TestKafka kafka = TestKafka.get();
  private static ReliabilityDb db;

  @BeforeAll
  static void setUp() {
    db = ReliabilityDb.create("zombie");
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @ParameterizedTest(name = "offsetsInDatabase={0}")
  @ValueSource(booleans = {false, true})
  void aZombieResumingAfterItsPartitionsMovedAppliesNothingTwice(boolean offsetsInDatabase) throws Exception {
    long seed = Sizes.seed(offsetsInDatabase ? 7002 : 7001);
    Random random = new Random(seed);
    String topic = Topics.withDlt(kafka, "zombie" + (offsetsInDatabase ? "-offsets" : "-keys"), 2);
    Scenario scenario = new Scenario("zombie (" + (offsetsInDatabase ? "offsets in db" : "key claims") + ")",
        seed, db, kafka.bootstrapServers());
    int stallAt = 50 + random.nextInt(200);
    AtomicInteger seen = new AtomicInteger();
    AtomicReference<ConsumerRecord<String, String>> stalled = new AtomicReference<>();
    CountDownLatch stalling = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    AtomicInteger fenced = new AtomicInteger();
    DedupMetrics countFenced = new DedupMetrics() {
      @Override
      public void failure(String scope, String type) {
        if (type.equals("fenced")) {
          fenced.incrementAndGet();
        }
      }
    };
    try (Publisher publisher = new Publisher(kafka.bootstrapServers(), topic, seed, 0.10, 0.002);
        Consumers consumers = new Consumers(db, kafka.bootstrapServers(), topic, "g-" + topic, 6)) {
      publisher.publish(Sizes.pick(1_500, 20_000));
      consumers.start("zombie", Map.of(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 4_000,
              ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50),
          new EffectsHandler("zombie", 0, record -> {
            boolean poison = record.value().startsWith(EffectsHandler.POISON_PREFIX);
            if (!poison && seen.incrementAndGet() == stallAt) {
              stalled.set(record);
              stalling.countDown();
              resume.await(90, TimeUnit.SECONDS); // stalled with the transaction open
            }
          }), offsetsInDatabase, db.config().metrics(countFenced).build());
      assertThat(stalling.await(60, TimeUnit.SECONDS)).as("the zombie reached its stall").isTrue();

      consumers.start("successor", Map.of(), new EffectsHandler("successor"), offsetsInDatabase);
      Awaitility.await("the successor blocked on the zombie's uncommitted claims").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200)).until(() -> db.count("SELECT count(*) FROM pg_stat_activity WHERE "
              + "usename = '" + db.app + "' AND wait_event_type = 'Lock'") > 0);
      scenario.fault("zombie stalled " + where(stalled.get()) + " past max.poll.interval.ms; successor blocked "
          + "on its claims; zombie resumed");
      resume.countDown();

      scenario.verify(publisher.workload(), Duration.ofSeconds(Sizes.pick(120, 600)), true);
      String owner = db.db.queryLong("SELECT count(*) FROM " + ReliabilityDb.EFFECTS + " WHERE topic = '" + topic
          + "' AND kafka_partition = " + stalled.get().partition() + " AND kafka_offset = " + stalled.get().offset()
          + " AND applied_by = 'zombie'") == 1 ? "zombie" : "successor";
      if (offsetsInDatabase) {
        assertThat(fenced).as("the zombie's transaction was fenced").hasPositiveValue();
        assertThat(owner).as("the stalled record's effect (zombie rolled back)").isEqualTo("successor");
      } else {
        assertThat(owner).as("the stalled record's effect (zombie committed first)").isEqualTo("zombie");
      }
      assertThat(consumers.failures()).as("consumer loops that died").isEmpty();
    }
  }

  private static String where(ConsumerRecord<?, ?> r) {
    return r.topic() + "-" + r.partition() + "@" + r.offset();
  }
}
