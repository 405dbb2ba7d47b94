package io.github.kafkadedup.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A tiny end-to-end run through the real broker and PostgreSQL: every mode completes and reports. */
class EndToEndSmokeIT {

  @Test
  void everyModeCompletesAndReportsNumbers() throws Exception {
    String report = EndToEnd.run(E2eOptions.parse("--records", "2000", "--runs", "1", "--warmup-records", "0",
        "--per-record-records", "200", "--modes", "baseline,baseline-natural,claims,claims-record,"
            + "claims-record-traced,sequenced,offsets,offsets-only,natural-key,per-record,replay,outbox,outbox-traced,"
            + "direct-send,"
            + "outbox-chain,spring-alo,spring-record,spring-batch"));

    assertThat(report).contains("2,000 records, 12 partitions").doesNotContain("NaN", "Infinity");
    for (Mode mode : Mode.values()) {
      assertThat(report).contains("| " + mode.label + " |");
    }
    String baseline = report.lines().filter(l -> l.startsWith("| " + Mode.BASELINE.label)).findFirst()
        .orElseThrow();
    assertThat(baseline).contains("| 1.00x |");
  }

  @Test
  void aGroupSpreadOverTwoJvmsCompletes() throws Exception {
    String report = EndToEnd.run(E2eOptions.parse("--records", "2000", "--runs", "1", "--warmup-records", "0",
        "--modes", "baseline,natural-key", "--consumer-jvms", "2"));

    assertThat(report).contains("2 consumer JVM(s)").contains("| " + Mode.NATURAL_KEY.label + " |")
        .doesNotContain("NaN", "Infinity");
  }
}
