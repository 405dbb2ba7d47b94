package io.github.kafkadedup.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.testsupport.ChildJvm;
import io.github.kafkadedup.testsupport.Readiness;
import io.github.kafkadedup.testsupport.KafkaBrokerProcess;
import io.github.kafkadedup.testsupport.PgFaultProxy;
import io.github.kafkadedup.testsupport.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 * The Spring Boot service (child JVMs of {@link SpringServiceMain}: a record listener with
 * {@code DeadLetterTableRecoverer} and a batch listener with Spring's {@code DeadLetterPublishingRecoverer},
 * in one group, through a {@link PgFaultProxy}) under the faults a database and a cluster bring: SIGKILLs,
 * {@code pg_terminate_backend} rounds of the runtime role's connections, {@code COMMIT} replies dropped by the
 * proxy (the outcome unknown to the service), and a broker SIGKILLed and restarted. Every valid record is
 * applied exactly once, no valid record is dead-lettered (neither on the DLT nor in {@code dead_letters}), and
 * the poison records, and only they, are dead-lettered ({@code dead_letters} once per record).
 */
class SpringServiceScenarioIT {
  private static KafkaBrokerProcess broker;
  private static ReliabilityDb db;

  @BeforeAll
  static void setUp() {
    broker = KafkaBrokerProcess.start();
    db = ReliabilityDb.create("spring_service");
  }

  @AfterAll
  static void tearDown() {
    db.close();
    broker.close();
  }

  @Test
  void databaseAndBrokerFaultsNeverDeadLetterAValidRecord() throws Exception {
    long seed = Sizes.seed(6001);
    Random random = new Random(seed);
    Duration pace = Duration.ofSeconds(Sizes.pick(40, 240));
    List<String> kinds = new ArrayList<>(List.of("sigkill", "terminate", "terminate", "terminate", "commit-cut",
        "commit-cut", "broker"));
    for (int i = 1; i < Sizes.pick(1, 4); i++) {
      kinds.addAll(List.of("sigkill", "terminate", "terminate", "commit-cut", "broker"));
    }
    Collections.shuffle(kinds, random);
    String topic = "spring-service-" + Long.toHexString(seed) + "-" + Long.toHexString(System.nanoTime() & 0xffff);
    createTopics(topic);
    Scenario scenario = new Scenario("spring service", seed, db, broker.bootstrapServers());
    try (PgFaultProxy proxy = PgFaultProxy.inFrontOf(db.db.jdbcUrl(), PgFaultProxy.Options.defaults());
        Publisher publisher = new Publisher(broker.bootstrapServers(), topic, seed, 0.10, 0.003);
        Services services = new Services(proxy.jdbcUrl(db.db.jdbcUrl()), topic)) {
      List<ChildJvm> live = new ArrayList<>(List.of(services.start("record", "table"),
          services.start("batch", "dlpr")));
      for (ChildJvm child : live) {
        child.awaitLine("started", Readiness.BOUND); // a Spring Boot JVM: ~30 s at load 20, more at times
      }
      Thread publishing = publisher.publishPacedInBackground(Sizes.pick(2_000, 20_000), pace);
      long gap = pace.toMillis() / (kinds.size() + 1);
      for (String kind : kinds) {
        Thread.sleep(gap / 2 + random.nextLong(gap / 2)); // a random moment of the run
        switch (kind) {
          case "sigkill" -> {
            ChildJvm victim = live.remove(random.nextInt(live.size()));
            victim.kill();
            scenario.fault("SIGKILL " + victim.name());
            live.add(random.nextBoolean() ? services.start("record", "table") : services.start("batch", "dlpr"));
          }
          case "terminate" -> {
            long cut = db.terminateAppConnections();
            if (cut > 0) { // an idle moment holds no connection: nothing to cut, no fault
              scenario.fault("pg_terminate_backend cut " + cut + " connection(s) of the runtime role");
            }
          }
          case "commit-cut" -> {
            proxy.cutAfterCommit(1 + random.nextInt(2));
            scenario.fault("the next COMMIT replies dropped by the proxy (armed " + proxy.armed() + ")");
          }
          default -> {
            broker.kill();
            Thread.sleep(1_000 + random.nextInt(2_000));
            broker.restart();
            scenario.fault("broker SIGKILLed and restarted");
          }
        }
      }
      publishing.join();
      assertThat(proxy.cuts()).as("COMMIT replies the proxy dropped").isPositive();
      Workload w = publisher.workload();
      scenario.verify(w, Duration.ofSeconds(Sizes.pick(180, 600)), false);
      live.forEach(c -> assertThat(c.isAlive()).as("%s still runs", c.name()).isTrue());
      String deadLetters = ReliabilityDb.SCHEMA + ".dead_letters";
      assertThat(db.count("SELECT count(*) FROM " + deadLetters + " WHERE convert_from(record_value, 'UTF8') "
          + "NOT LIKE '" + EffectsHandler.POISON_PREFIX + "%'")).as("valid records in dead_letters").isZero();
      assertThat(db.count("SELECT count(*) - count(DISTINCT (source_partition, source_offset)) FROM "
          + deadLetters)).as("records dead-lettered twice in dead_letters").isZero();
      assertThat(db.count("SELECT count(*) FROM " + db.schema().claims() + " c WHERE c.status = 'D' AND EXISTS "
          + "(SELECT 1 FROM " + ReliabilityDb.EFFECTS + " e WHERE " + db.schema().function("dedup_key_id")
          + "(e.message_key) = c.key_id)")).as("dead-lettered keys that have an effect").isZero();
    }
  }

  private static void createTopics(String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1), new NewTopic(topic + ".DLT", 1, (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
      TestKafka.awaitLeaders(admin, topic, 3);
      TestKafka.awaitLeaders(admin, topic + ".DLT", 1);
    }
  }

  /** The service's child JVMs; closing SIGKILLs whatever still runs. */
  private static final class Services implements AutoCloseable {
    private final String jdbcUrl;
    private final String topic;
    private final List<ChildJvm> started = new ArrayList<>();

    Services(String jdbcUrl, String topic) {
      this.jdbcUrl = jdbcUrl;
      this.topic = topic;
    }

    ChildJvm start(String listener, String recoverer) {
      String name = "s" + (started.size() + 1) + "-" + listener + "-" + recoverer;
      ChildJvm child = ChildJvm.builder(SpringServiceMain.class).name(topic + "-" + name)
          .args("bootstrap=" + broker.bootstrapServers(), "jdbc=" + jdbcUrl, "user=" + db.app,
              "password=" + db.password(), "topic=" + topic, "group=g-" + topic, "name=" + name,
              "listener=" + listener, "recoverer=" + recoverer)
          .start();
      started.add(child);
      return child;
    }

    @Override
    public void close() {
      started.forEach(ChildJvm::close);
    }
  }
}
