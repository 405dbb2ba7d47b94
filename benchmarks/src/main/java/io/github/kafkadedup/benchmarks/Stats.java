package io.github.kafkadedup.benchmarks;

import java.util.Arrays;

/** Medians and percentiles of measured values. */
public final class Stats {
  private Stats() {}

  /**
   * @param values measured values, at least one
   * @return their median (the mean of the middle two for an even count)
   */
  public static double median(double... values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /**
   * Nearest-rank percentile.
   *
   * @param sortedValues ascending values, at least one
   * @param percentile 0 to 100
   * @return the value at that percentile
   */
  public static double percentile(double[] sortedValues, double percentile) {
    int rank = (int) Math.ceil(percentile / 100.0 * sortedValues.length);
    return sortedValues[Math.max(0, Math.min(sortedValues.length - 1, rank - 1))];
  }
}
