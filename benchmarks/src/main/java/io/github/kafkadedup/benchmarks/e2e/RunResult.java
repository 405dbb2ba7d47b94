package io.github.kafkadedup.benchmarks.e2e;

import io.github.kafkadedup.benchmarks.Stats;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One measured run.
 *
 * @param records records the run was timed over
 * @param recordsPerSecond records / seconds from the first batch's write to the last
 * @param cycleP50Millis median batch cycle
 * @param cycleP99Millis 99th percentile batch cycle
 * @param walBytesPerRecord server WAL over the run / records
 * @param consumerCpuMicrosPerRecord consumer threads' CPU / records
 * @param postgresCpuMicrosPerRecord PostgreSQL processes' CPU / records, or -1 if not measurable
 */
record RunResult(int records, double recordsPerSecond, double cycleP50Millis, double cycleP99Millis,
    double walBytesPerRecord, double consumerCpuMicrosPerRecord, double postgresCpuMicrosPerRecord) {

  static RunResult of(RunProbe probe, int records, long walBytes, long postgresCpuNanos) {
    double[] cycles = probe.sortedCycles();
    double p50 = cycles.length == 0 ? 0 : Stats.percentile(cycles, 50) / 1e6;
    double p99 = cycles.length == 0 ? 0 : Stats.percentile(cycles, 99) / 1e6;
    return new RunResult(records, records * 1e9 / probe.elapsedNanos(), p50, p99, (double) walBytes / records,
        probe.consumerCpuNanos() / 1e3 / records, postgresCpuNanos < 0 ? -1 : postgresCpuNanos / 1e3 / records);
  }

  /**
   * A run of several consumer JVMs: timed by the database ({@code seconds} between the first and the last
   * business transaction's start); cycles from this JVM's consumers, consumer CPU not measured (-1).
   */
  static RunResult ofDatabaseClock(RunProbe probe, int records, double seconds, long walBytes,
      long postgresCpuNanos) {
    double[] cycles = probe.sortedCycles();
    double p50 = cycles.length == 0 ? 0 : Stats.percentile(cycles, 50) / 1e6;
    double p99 = cycles.length == 0 ? 0 : Stats.percentile(cycles, 99) / 1e6;
    return new RunResult(records, records / seconds, p50, p99, (double) walBytes / records, -1,
        postgresCpuNanos < 0 ? -1 : postgresCpuNanos / 1e3 / records);
  }

  /** The markdown report: one row per mode with medians over its runs. */
  static String report(E2eOptions options, Map<Mode, List<RunResult>> results, String server, String broker,
      double producedPerSecond) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%,d records, %d partitions, %d consumer(s), max.poll.records=%d, "
        + "%d consumer JVM(s), %d business row(s) per record, median of %d run(s), claim table pre-filled with %,d keys, %s keys, "
        + "PostgreSQL delay %d ms each way%n",
        options.records(), options.partitions(), options.consumers(), options.maxPollRecords(),
        options.consumerJvms(), options.rowsPerRecord(), options.runs(), options.prefillClaims(), options.uuidv7Keys() ? "UUIDv7" : "random v4",
        options.pgDelayMillis()));
    out.append("PostgreSQL: ").append(server).append('\n');
    out.append("Kafka: ").append(broker).append(String.format(Locale.ROOT,
        " (produced at %,.0f records/s)%n%n", producedPerSecond));
    out.append("| mode | records/run | records/s | ratio to baseline | batch cycle p50 ms | p99 ms"
        + " | WAL bytes/record | consumer CPU µs/record | PostgreSQL CPU µs/record | runs (records/s) |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    List<RunResult> base = results.get(Mode.BASELINE);
    double baseline = base == null ? Double.NaN : median(base, RunResult::recordsPerSecond);
    for (Map.Entry<Mode, List<RunResult>> e : results.entrySet()) {
      List<RunResult> runs = e.getValue();
      double rate = median(runs, RunResult::recordsPerSecond);
      double pg = median(runs, RunResult::postgresCpuMicrosPerRecord);
      out.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %s | %s | %s | %.0f | %.1f | %s | %s |%n",
          e.getKey().label, runs.get(0).records(), rate,
          Double.isNaN(baseline) ? "n/a" : String.format(Locale.ROOT, "%.2fx", rate / baseline),
          millis(median(runs, RunResult::cycleP50Millis)), millis(median(runs, RunResult::cycleP99Millis)),
          median(runs, RunResult::walBytesPerRecord), median(runs, RunResult::consumerCpuMicrosPerRecord),
          pg < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", pg),
          String.join(", ", runs.stream().map(r -> String.format(Locale.ROOT, "%,.0f", r.recordsPerSecond()))
              .toList())));
    }
    List<RunResult> fresh = results.get(Mode.CLAIMS);
    List<RunResult> replay = results.get(Mode.REPLAY);
    if (fresh != null && replay != null) {
      out.append(String.format(Locale.ROOT, "%nReplay (100 %% duplicates) against fresh claims, medians: cost per "
          + "record (inverse records/s) %.2fx, PostgreSQL CPU per record %.2fx%n",
          median(fresh, RunResult::recordsPerSecond) / median(replay, RunResult::recordsPerSecond),
          median(replay, RunResult::postgresCpuMicrosPerRecord) / median(fresh, RunResult::postgresCpuMicrosPerRecord)));
    }
    appendPairs(out, results);
    return out.toString();
  }

  /** The issues' own comparisons, of medians from the same run: issue 14's, 15's and 24's targets. */
  private static void appendPairs(StringBuilder out, Map<Mode, List<RunResult>> results) {
    Mode[][] pairs = {{Mode.OUTBOX_TRACED, Mode.OUTBOX}, {Mode.CLAIMS_RECORD_TRACED, Mode.CLAIMS_RECORD},
        {Mode.OUTBOX, Mode.DIRECT_SEND}, {Mode.SPRING_RECORD, Mode.CLAIMS},
        {Mode.SPRING_RECORD, Mode.CLAIMS_RECORD},
        {Mode.SPRING_BATCH, Mode.CLAIMS}, {Mode.SPRING_RECORD, Mode.SPRING_ALO}, {Mode.SEQUENCED, Mode.CLAIMS}};
    boolean header = false;
    for (Mode[] pair : pairs) {
      List<RunResult> a = results.get(pair[0]);
      List<RunResult> b = results.get(pair[1]);
      if (a == null || b == null) {
        continue;
      }
      if (!header) {
        out.append("\n| comparison (medians) | ratio |\n| --- | ---: |\n");
        header = true;
      }
      out.append(String.format(Locale.ROOT, "| %s / %s | %.2fx |%n", name(pair[0]), name(pair[1]),
          median(a, RunResult::recordsPerSecond) / median(b, RunResult::recordsPerSecond)));
    }
  }

  private static String name(Mode mode) {
    return mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** A cycle time, or n/a when a run had fewer than two batches. */
  private static String millis(double value) {
    return value <= 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", value);
  }

  private static double median(List<RunResult> runs, java.util.function.ToDoubleFunction<RunResult> f) {
    return Stats.median(runs.stream().mapToDouble(f).toArray());
  }
}
