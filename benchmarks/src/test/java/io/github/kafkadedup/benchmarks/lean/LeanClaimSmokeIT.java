package io.github.kafkadedup.benchmarks.lean;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A tiny run of the lean-claim experiment: every variant is measured and reported. */
class LeanClaimSmokeIT {

  @Test
  void measuresEveryVariantWithAndWithoutTheBusinessRow() throws Exception {
    String report = LeanClaimExperiment.report(1000, 100, 1);

    assertThat(report).contains("Claim alone", "With a one-row business insert", "PostgreSQL ")
        .doesNotContain("NaN", "Infinity");
    for (Variant v : Variant.values()) {
      assertThat(report).contains("| " + v.name() + " |");
    }
    // a V1 claim writes WAL: a row and an index entry per key
    String v1 = report.lines().filter(l -> l.startsWith("| V1 |")).findFirst().orElseThrow();
    assertThat(Double.parseDouble(v1.split("\\|")[5].trim())).isPositive();
  }
}
