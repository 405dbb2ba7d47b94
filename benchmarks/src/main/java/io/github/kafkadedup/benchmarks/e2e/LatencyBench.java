package io.github.kafkadedup.benchmarks.e2e;

import io.github.kafkadedup.benchmarks.BenchDatabase;
import io.github.kafkadedup.benchmarks.BusinessTable;
import io.github.kafkadedup.testsupport.PgFaultProxy;
import io.github.kafkadedup.testsupport.TestKafka;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * The latency harness (issue 26): what a message's delay looks like under a steady load. First the
 * at-least-once baseline's maximum is measured in this run (a backlog of {@code --calibration-records}, as
 * {@link EndToEnd} measures it), then every mode runs at each offered rate ({@code --rates}, fractions of that
 * maximum), {@code --repeats} times, interleaved: a {@link SteadyProducer} sends at the rate for
 * {@code --warmup-seconds} + {@code --seconds} to a new topic while the mode's consumers (the same as
 * {@link EndToEnd}'s, on a fresh database) apply the records; each record's latency is its commit time, taken
 * by the consumer after the commit, minus its scheduled send time. Reported: p50, p90, p99, p99.9 and max of
 * the measured records (HdrHistogram), their median over the repeats with the spread, and each mode's ratio
 * to the baseline's same percentile in the same repeat; the raw figures go to {@code --csv} for
 * {@code benchmarks/chart.py --latency}. Options: {@link LatencyOptions}; a smoke run is e.g.
 * {@code --rates 0.5 --repeats 1 --seconds 3 --warmup-seconds 1 --calibration-records 20000}.
 */
public final class LatencyBench {
  private LatencyBench() {}

  /**
   * Runs the harness and prints the report.
   *
   * @param args {@code --name value} options
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    System.out.println(run(LatencyOptions.parse(args)));
    System.exit(0); // the in-process broker and embedded server keep non-daemon threads
  }

  /**
   * Runs the harness.
   *
   * @param options the settings
   * @return the report (markdown)
   * @throws Exception on failure
   */
  static String run(LatencyOptions options) throws Exception {
    TestKafka kafka = TestKafka.get();
    String load0 = load();
    int maxRate = options.maxRate() > 0 ? options.maxRate() : calibrate(kafka, options);
    List<LatencyReport.Point> points = new ArrayList<>();
    for (double fraction : options.fractions()) {
      int rate = Math.max(1, (int) Math.round(maxRate * fraction));
      for (int repeat = 1; repeat <= options.repeats(); repeat++) {
        for (Mode mode : options.e2e().modes()) {
          LatencyReport.Point p = point(mode, options, fraction, rate, repeat);
          System.err.printf(Locale.ROOT, "%.2f x %,d/s, repeat %d, %s: p50 %.1f ms, p99 %.1f ms (load %s)%n",
              fraction, rate, repeat, mode, p.p50Micros() / 1e3, p.p99Micros() / 1e3, p.load());
          points.add(p);
        }
      }
    }
    if (!options.csv().isEmpty()) {
      Files.writeString(Path.of(options.csv()), LatencyReport.csv(points));
    }
    String server;
    try (BenchDatabase db = BenchDatabase.create("lat_info"); var c = db.connect()) {
      server = BenchDatabase.describeServer(c);
    }
    return LatencyReport.markdown(options, maxRate, points, server, kafka.describe(), load0, load());
  }

  /** The baseline's records/s from a backlog, measured now. */
  private static int calibrate(TestKafka kafka, LatencyOptions options) throws Exception {
    E2eOptions e2e = options.e2e();
    String topic = EndToEnd.newTopic(kafka, "lat-calibration", e2e.partitions());
    EndToEnd.produce(kafka, topic, options.calibrationRecords(), e2e.uuidv7Keys());
    RunResult r = EndToEnd.once(Mode.BASELINE, e2e, topic, options.calibrationRecords());
    System.err.printf(Locale.ROOT, "baseline maximum: %,.0f records/s (%,d records, load %s)%n",
        r.recordsPerSecond(), options.calibrationRecords(), load());
    return (int) Math.round(r.recordsPerSecond());
  }

  /** One mode at one rate: a fresh database, a new topic, the producer at the rate, the histogram. */
  private static LatencyReport.Point point(Mode mode, LatencyOptions options, double fraction, int rate,
      int repeat) throws Exception {
    E2eOptions e2e = options.e2e();
    TestKafka kafka = TestKafka.get();
    try (BenchDatabase db = BenchDatabase.create("lat_" + mode.name().toLowerCase(Locale.ROOT));
        PgFaultProxy proxy = e2e.pgDelayMillis() == 0 ? null : PgFaultProxy.inFrontOf(db.jdbcUrl(),
            PgFaultProxy.Options.defaults().withDelay(Duration.ofMillis(e2e.pgDelayMillis())))) {
      db.execute(BusinessTable.DDL, BusinessTable.NATURAL_DDL);
      String groupId = "lat-" + mode + "-" + UUID.randomUUID();
      if (e2e.prefillClaims() > 0 && mode.claimsKeys()) {
        ClaimPrefill.fill(db, groupId, e2e.prefillClaims(), e2e.uuidv7Keys());
      }
      DataSource pool = proxy == null ? db.pool(e2e.consumers() + 2) : db.poolVia(proxy, e2e.consumers() + 2);
      String topic = EndToEnd.newTopic(kafka, "lat-in", e2e.partitions());
      String outTopic = mode.needsOutTopic() ? EndToEnd.newTopic(kafka, "lat-out", e2e.partitions()) : null;
      RunProbe probe = new RunProbe(Long.MAX_VALUE);
      Latencies latencies = new Latencies();
      probe.recordLatencies(latencies);
      try (AutoCloseable group = mode.spring()
              ? new SpringGroup(mode, e2e, kafka.bootstrapServers(), groupId, topic, db.jdbcUrl(), db.user(),
                  db.password(), probe)
              : new Group(mode, e2e, kafka.consumerProps(groupId), topic, pool, probe, outTopic);
          DeliveryWatch watch = mode.sends() ? new DeliveryWatch(kafka, outTopic, probe) : null;
          SteadyProducer producer = new SteadyProducer(topic, e2e.uuidv7Keys())) {
        producer.prime(e2e.partitions()); // every partition assigned and its first batch through
        awaitCommitted(latencies, e2e.partitions(), Duration.ofSeconds(300), mode + " did not start");
        latencies.measureFrom(Latencies.nowMicros() + options.warmupSeconds() * 1_000_000L);
        long sent = producer.run(rate, options.warmupSeconds() + options.seconds());
        long expected = e2e.partitions() + sent;
        long behindAtStop = expected - latencies.committed();
        String load = load();
        boolean drained = awaitCommitted(latencies, expected, Duration.ofSeconds(60 + options.seconds()), null);
        Histogram h = latencies.histogram().copy();
        return new LatencyReport.Point(mode, fraction, rate, repeat, sent, h.getTotalCount(),
            h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
            h.getValueAtPercentile(99.9), h.getMaxValue(), saturated(behindAtStop, rate, drained), load);
      }
    }
  }

  /**
   * Whether a run did not keep up with its offered rate: when the producer stopped, more than one second of
   * its records were still uncommitted (a group that keeps up is behind by its latency, milliseconds of
   * records; a backlog that grew through the run, as in the second hop of the outbox chain, is seconds of
   * them), or they were not all committed a minute after it stopped.
   */
  static boolean saturated(long behindAtStop, int rate, boolean drained) {
    return !drained || behindAtStop > rate;
  }

  /**
   * Waits until {@code count} records were committed; false on timeout, or an exception with
   * {@code failure} when given.
   */
  private static boolean awaitCommitted(Latencies latencies, long count, Duration timeout, @Nullable String failure)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (latencies.committed() < count) {
      if (System.nanoTime() > deadline) {
        if (failure != null) {
          throw new IllegalStateException(failure + ": " + latencies.committed() + " of " + count
              + " records committed in " + timeout);
        }
        return false;
      }
      Thread.sleep(20); // the consumers report commits through counters: polled
    }
    return true;
  }

  /** The 1-minute load average. */
  static String load() {
    return String.format(Locale.ROOT, "%.1f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }
}
