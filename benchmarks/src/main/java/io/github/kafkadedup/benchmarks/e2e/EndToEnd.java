package io.github.kafkadedup.benchmarks.e2e;

import io.github.kafkadedup.benchmarks.BenchDatabase;
import io.github.kafkadedup.benchmarks.BusinessTable;
import io.github.kafkadedup.benchmarks.KeyMix;
import io.github.kafkadedup.benchmarks.Records;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.producer.IdempotencyKeys;
import io.github.kafkadedup.testsupport.PgFaultProxy;
import io.github.kafkadedup.testsupport.TestKafka;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The end-to-end harness: produces {@code --records} orders (each with a unique idempotency-key header)
 * to a topic of {@code --partitions} partitions on a real broker, then, per {@link Mode}, lets a consumer
 * group write one business row per record to PostgreSQL, and reports records/s (median of
 * {@code --runs}), the ratio to the at-least-once baseline, batch cycle p50/p99, WAL bytes per record and
 * CPU per record. Each run has a fresh database and a new consumer group; runs of the modes are
 * interleaved so that background load spreads over all of them.
 *
 * <p>Broker: in-process unless {@code DEDUP_TEST_KAFKA_BOOTSTRAP}; PostgreSQL: embedded unless
 * {@code DEDUP_TEST_JDBC_URL}. Options: see {@link E2eOptions}; a smoke run is e.g.
 * {@code --records 2000 --runs 1 --warmup-records 0 --per-record-records 500}.
 */
public final class EndToEnd {
  private EndToEnd() {}

  /**
   * Runs the harness and prints the report.
   *
   * @param args {@code --name value} options
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    System.out.println(run(E2eOptions.parse(args)));
    System.exit(0); // the in-process broker and embedded server keep non-daemon threads
  }

  /**
   * Runs the harness.
   *
   * @param options the settings
   * @return the report (markdown)
   * @throws Exception on failure
   */
  static String run(E2eOptions options) throws Exception {
    TestKafka kafka = TestKafka.get();
    String topic = newTopic(kafka, "e2e-orders", options.partitions());
    double produceSeconds = produce(kafka, topic, options.records(), options.uuidv7Keys());
    Map<Mode, List<RunResult>> results = new EnumMap<>(Mode.class);
    if (options.warmupRecords() > 0) {
      for (Mode mode : options.modes()) {
        once(mode, options, topic, Math.min(options.warmupRecords(), options.target(mode)));
      }
    }
    for (int run = 0; run < options.runs(); run++) {
      for (Mode mode : options.modes()) {
        RunResult r = once(mode, options, topic, options.target(mode));
        System.err.printf(Locale.ROOT, "run %d %s: %,.0f records/s%n", run + 1, mode, r.recordsPerSecond());
        results.computeIfAbsent(mode, m -> new ArrayList<>()).add(r);
      }
    }
    String server;
    try (BenchDatabase db = BenchDatabase.create("e2e_info"); Connection c = db.connect()) {
      server = BenchDatabase.describeServer(c);
    }
    return RunResult.report(options, results, server, kafka.describe(), options.records() / produceSeconds);
  }

  /**
   * Waits until every partition of a new topic has a leader: producing at once can meet
   * NotLeaderOrFollower, after which an idempotent producer may stall on sequence errors.
   */
  private static void awaitLeaders(TestKafka kafka, String topic, int partitions) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      var description = kafka.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      long led = description.partitions().stream().filter(p -> p.leader() != null && !p.leader().isEmpty())
          .count();
      if (led == partitions) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(topic + ": only " + led + " of " + partitions + " partitions have a "
            + "leader after 60 s");
      }
      Thread.sleep(100); // no event to wait on: metadata propagation is polled
    }
  }

  /** A new topic whose partitions all have a leader. */
  static String newTopic(TestKafka kafka, String prefix, int partitions) throws Exception {
    String topic = kafka.createTopic(prefix, partitions);
    awaitLeaders(kafka, topic, partitions);
    return topic;
  }

  static double produce(TestKafka kafka, String topic, int records, boolean uuidv7) {
    Map<String, Object> props = kafka.producerProps();
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    long t0 = System.nanoTime();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      KeyMix keys = new KeyMix(List.of(), 0, 99);
      for (int i = 0; i < records; i += 1000) {
        String[] chunk = keys.next(Math.min(1000, records - i));
        for (int j = 0; j < chunk.length; j++) {
          long seq = (long) i + j;
          String orderId = "order-" + (seq % 100_000);
          ProducerRecord<String, String> r = new ProducerRecord<>(topic, orderId, Records.value(orderId, seq));
          String key = uuidv7 ? IdempotencyKeys.newKey().toString() : chunk[j];
          r.headers().add(KeyStrategy.DEFAULT_HEADER, key.getBytes(StandardCharsets.UTF_8));
          producer.send(r);
        }
      }
      producer.flush();
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  static RunResult once(Mode mode, E2eOptions options, String topic, int target) throws Exception {
    try (BenchDatabase db = BenchDatabase.create("e2e_" + mode.name().toLowerCase(Locale.ROOT));
        PgFaultProxy proxy = options.pgDelayMillis() == 0 ? null : PgFaultProxy.inFrontOf(db.jdbcUrl(),
            PgFaultProxy.Options.defaults().withDelay(Duration.ofMillis(options.pgDelayMillis())))) {
      db.execute(BusinessTable.DDL, BusinessTable.NATURAL_DDL);
      String groupId = "e2e-" + mode + "-" + UUID.randomUUID();
      if (options.prefillClaims() > 0 && mode.claimsKeys()) {
        ClaimPrefill.fill(db, groupId, options.prefillClaims(), options.uuidv7Keys()); // the group id is the scope
      }
      int connections = options.consumers() + 2; // + the relay's connection in the outbox mode
      DataSource pool = proxy == null ? db.pool(connections) : db.poolVia(proxy, connections);
      Map<String, Object> props = TestKafka.get().consumerProps(groupId);
      if (mode == Mode.REPLAY) {
        firstPass(options, props, topic, pool, target, groupId);
      }
      if (options.prefillClaims() > 0) {
        db.execute("CHECKPOINT"); // every mode starts where a full-page image follows each first touch
      }
      RunProbe probe = new RunProbe(target, mode.sends());
      String outTopic = mode.needsOutTopic() ? newTopic(TestKafka.get(), "e2e-out", options.partitions()) : null;
      long wal0;
      long pgCpu0;
      try (Connection c = pool.getConnection()) {
        wal0 = BenchDatabase.walPosition(c);
        pgCpu0 = PostgresCpu.nanos(c);
      }
      long wal1;
      long pgCpu1;
      String table = mode == Mode.NATURAL_KEY || mode == Mode.BASELINE_NATURAL ? "natural_orders"
          : "business_events";
      try (Members members = Members.start(mode, options, topic, groupId, db);
          AutoCloseable group = mode.spring()
              ? new SpringGroup(mode, options, TestKafka.get().bootstrapServers(), groupId, topic, db.jdbcUrl(),
                  db.user(), db.password(), probe)
              : new Group(mode, options, props, topic, pool, probe, outTopic);
          DeliveryWatch watch = !mode.sends() ? null : new DeliveryWatch(TestKafka.get(), outTopic, probe)) {
        if (members.none()) {
          probe.await(Duration.ofSeconds(120 + target / 500));
        } else {
          members.awaitRows(db, table, (long) target * options.rowsPerRecord(), Duration.ofSeconds(300 + target / 500));
        }
        try (Connection c = pool.getConnection()) {
          wal1 = BenchDatabase.walPosition(c);
          pgCpu1 = PostgresCpu.nanos(c);
        }
      }
      long rows = db.queryLong("SELECT count(*) FROM " + table);
      if (rows < (long) target * options.rowsPerRecord()) {
        throw new IllegalStateException(mode + ": " + rows + " business rows for " + target + " records");
      }
      long pgCpu = pgCpu0 < 0 || pgCpu1 < 0 ? -1 : pgCpu1 - pgCpu0;
      return options.consumerJvms() > 1
          ? RunResult.ofDatabaseClock(probe, target, Members.seconds(db, table), wal1 - wal0, pgCpu)
          : RunResult.of(probe, target, wal1 - wal0, pgCpu);
    }
  }

  /**
   * The unmeasured first pass of a {@link Mode#REPLAY} run: claims the records in the group's scope, then
   * deletes the group, so that the measured pass reads them again from the earliest offset.
   */
  private static void firstPass(E2eOptions options, Map<String, Object> props, String topic, DataSource pool,
      int target, String groupId) throws Exception {
    RunProbe first = new RunProbe(target);
    try (Group group = new Group(Mode.CLAIMS, options, props, topic, pool, first)) {
      first.await(Duration.ofSeconds(120 + target / 500));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        TestKafka.get().admin().deleteConsumerGroups(List.of(groupId)).all().get();
        return;
      } catch (ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200); // the closed consumers' group may still be leaving: no event to wait on
      }
    }
  }

  /** CPU time of the PostgreSQL server's processes, when it runs on this machine. */
  public static final class PostgresCpu {
    private PostgresCpu() {}

    /**
     * Sum over the postmaster and its children, or -1 when they cannot be seen from here.
     *
     * @param c a connection to the server
     * @return CPU nanoseconds, or -1
     * @throws SQLException on database failure
     */
    public static long nanos(Connection c) throws SQLException {
      long pid;
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getLong(1);
      }
      Optional<ProcessHandle> postmaster = ProcessHandle.of(pid).flatMap(ProcessHandle::parent)
          .filter(p -> p.info().command().map(cmd -> cmd.contains("postgres")).orElse(false));
      if (postmaster.isEmpty()) {
        return -1;
      }
      return Stream.concat(Stream.of(postmaster.get()), postmaster.get().children())
          .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    }
  }
}
