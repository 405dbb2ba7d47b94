package io.github.kafkadedup.benchmarks.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/** The latency harness's report: a markdown table per offered rate, and the raw figures as CSV. */
final class LatencyReport {
  private LatencyReport() {}

  /**
   * One mode at one offered rate, one repeat; latencies in microseconds.
   *
   * @param mode the mode
   * @param fraction the offered rate as a fraction of the baseline's maximum
   * @param rate the offered rate, records/s
   * @param repeat 1, 2, ...
   * @param sent records sent at the rate (warm-up included)
   * @param measured records whose latency was recorded (sent after the warm-up)
   * @param p50Micros median
   * @param p90Micros 90th percentile
   * @param p99Micros 99th percentile
   * @param p999Micros 99.9th percentile
   * @param maxMicros the largest
   * @param saturated whether the run did not keep up with its rate ({@link LatencyBench#saturated})
   * @param load the 1-minute load average when the producer stopped
   */
  record Point(Mode mode, double fraction, int rate, int repeat, long sent, long measured, long p50Micros,
      long p90Micros, long p99Micros, long p999Micros, long maxMicros, boolean saturated, String load) {}

  private static final List<ToLongFunction<Point>> VALUES = List.of(Point::p50Micros, Point::p90Micros,
      Point::p99Micros, Point::p999Micros, Point::maxMicros);

  static String csv(List<Point> points) {
    StringBuilder out = new StringBuilder(
        "fraction,rate,mode,repeat,sent,measured,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,saturated,load\n");
    for (Point p : points) {
      out.append(String.format(Locale.ROOT, "%.2f,%d,%s,%d,%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%b,%s%n", p.fraction(),
          p.rate(), p.mode().name().toLowerCase(Locale.ROOT).replace('_', '-'), p.repeat(), p.sent(), p.measured(),
          p.p50Micros() / 1e3, p.p90Micros() / 1e3, p.p99Micros() / 1e3, p.p999Micros() / 1e3, p.maxMicros() / 1e3,
          p.saturated(), p.load()));
    }
    return out.toString();
  }

  static String markdown(LatencyOptions options, int maxRate, List<Point> points, String server, String kafka,
      String load0, String load1) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "## Latency under a steady load%n%n"
            + "Baseline maximum (this run): %,d records/s; %d repeats of %d s (after %d s of warm-up) per mode and "
            + "rate, interleaved; load average %s at the start, %s at the end. Latency = commit time (taken by the "
            + "consumer after the commit) - scheduled send time; ms; median over the repeats [min-max]; ratios: the "
            + "median of the per-repeat ratios to the baseline's same percentile [min-max].%n%n",
        maxRate, options.repeats(), options.seconds(), options.warmupSeconds(), load0, load1));
    Map<Double, List<Point>> byFraction = new TreeMap<>();
    points.forEach(p -> byFraction.computeIfAbsent(p.fraction(), f -> new ArrayList<>()).add(p));
    byFraction.forEach((fraction, list) -> table(out, fraction, list));
    out.append("Server: ").append(server).append("; Kafka: ").append(kafka).append('\n');
    return out.toString();
  }

  private static void table(StringBuilder out, double fraction, List<Point> points) {
    out.append(String.format(Locale.ROOT, "### %.0f %% of the baseline's maximum (%,d records/s)%n%n",
        fraction * 100, points.get(0).rate()));
    out.append("| mode | measured records | p50 | p90 | p99 | p99.9 | max | p50 / baseline | p99 / baseline "
        + "| p99.9 / baseline | runs saturated |\n"
        + "| --- | ---: | --- | --- | --- | --- | --- | --- | --- | --- | ---: |\n");
    Map<Mode, List<Point>> byMode = new TreeMap<>();
    points.forEach(p -> byMode.computeIfAbsent(p.mode(), m -> new ArrayList<>()).add(p));
    List<Point> base = byMode.getOrDefault(Mode.BASELINE, List.of());
    byMode.forEach((mode, runs) -> {
      out.append("| ").append(mode.name().toLowerCase(Locale.ROOT).replace('_', '-')).append(" | ")
          .append(String.format(Locale.ROOT, "%,d", (long) median(runs.stream().mapToDouble(Point::measured)
              .toArray())));
      for (ToLongFunction<Point> value : VALUES) {
        out.append(" | ").append(spread(runs.stream().mapToDouble(p -> value.applyAsLong(p) / 1e3).toArray(), ""));
      }
      for (int i : new int[] {0, 2, 3}) {
        out.append(" | ").append(ratios(runs, base, VALUES.get(i)));
      }
      out.append(" | ").append(runs.stream().filter(Point::saturated).count()).append(" |\n");
    });
    out.append('\n');
  }

  /** The median of the per-repeat ratios of {@code runs} to the baseline run of the same repeat. */
  private static String ratios(List<Point> runs, List<Point> base, ToLongFunction<Point> value) {
    List<Double> ratios = new ArrayList<>();
    for (Point p : runs) {
      Optional<Point> b = base.stream().filter(x -> x.repeat() == p.repeat()).findFirst();
      b.filter(x -> value.applyAsLong(x) > 0).ifPresent(x -> ratios.add((double) value.applyAsLong(p)
          / value.applyAsLong(x)));
    }
    return ratios.isEmpty() ? "-" : spread(ratios.stream().mapToDouble(Double::doubleValue).toArray(), "x");
  }

  private static String spread(double[] values, String unit) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    String median = String.format(Locale.ROOT, "%.2f%s", median(sorted), unit);
    return sorted.length == 1 ? median : median + String.format(Locale.ROOT, " [%.2f-%.2f]", sorted[0],
        sorted[sorted.length - 1]);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int n = sorted.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
