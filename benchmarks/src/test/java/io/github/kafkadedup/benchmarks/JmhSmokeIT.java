package io.github.kafkadedup.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every JMH benchmark once, in this JVM, on one small parameter combination: it must complete and
 * report a score. Not a measurement (no fork, no warm-up, 100 ms).
 */
class JmhSmokeIT {

  @Test
  void everyBenchmarkRunsAndReportsAScore() throws Exception {
    Options options = new OptionsBuilder()
        .include("io\\.github\\.kafkadedup\\.benchmarks\\..*Benchmark")
        .param("batchSize", "10")
        .param("duplicatePercent", "10")
        .param("strategy", "HEADER", "HEADER_HASHED")
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100))
        .timeUnit(TimeUnit.MICROSECONDS)
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> results = new Runner(options).run();

    Map<String, Double> scores = new TreeMap<>();
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark().replaceAll(".*\\.(\\w+\\.\\w+)$", "$1");
      String strategy = r.getParams().getParam("strategy");
      scores.put(strategy == null ? label : label + "/" + strategy, r.getPrimaryResult().getScore());
    }
    assertThat(scores).containsOnlyKeys("ClaimBenchmark.insertPerKey", "ClaimBenchmark.ourClaim",
        "ClaimBenchmark.ourProcessor", "ClaimBenchmark.savepointPerKey", "ClaimBenchmark.selectThenInsert",
        "FloorBenchmark.plainInsert", "PeerBenchmark.camelIdempotentRepository",
        "PeerBenchmark.springMetadataStore", "KeyStrategyBenchmark.plan/HEADER",
        "KeyStrategyBenchmark.plan/HEADER_HASHED");
    assertThat(scores.values()).allSatisfy(score -> assertThat(score).isPositive().isFinite());
  }
}
