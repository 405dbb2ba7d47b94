package io.github.kafkadedup.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A tiny latency run through the real broker and PostgreSQL: the modes complete, report and write the CSV. */
class LatencySmokeIT {

  @Test
  void theModesCompleteAndReportPercentilesAndTheCsv() throws Exception {
    Path csv = Files.createTempFile("latency-smoke", ".csv");
    String report = LatencyBench.run(LatencyOptions.parse("--modes", "baseline,claims,natural-key,outbox-chain",
        "--rates", "0.5", "--repeats", "1", "--seconds", "1", "--warmup-seconds", "0", "--max-rate", "2000",
        "--csv", csv.toString()));

    assertThat(report).contains("### 50 % of the baseline's maximum (1,000 records/s)")
        .contains("| baseline |", "| claims |", "| natural-key |", "| outbox-chain |")
        .doesNotContain("NaN", "Infinity");
    assertThat(Files.readAllLines(csv)).hasSize(5)
        .first().isEqualTo("fraction,rate,mode,repeat,sent,measured,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,saturated,load");
    Files.delete(csv);
  }
}
