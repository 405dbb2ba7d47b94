package io.github.kafkadedup.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyOptionsTest {

  @Test
  void defaultsAreTheIssuesRatesAndModes() {
    LatencyOptions o = LatencyOptions.parse();
    assertThat(o.fractions()).containsExactly(0.25, 0.5, 0.9);
    assertThat(o.repeats()).isEqualTo(3);
    assertThat(o.e2e().modes()).containsExactly(Mode.BASELINE, Mode.CLAIMS, Mode.OFFSETS_ONLY, Mode.NATURAL_KEY,
        Mode.SPRING_RECORD, Mode.SPRING_BATCH, Mode.OUTBOX_CHAIN);
  }

  @Test
  void parsesRatesAndSharedOptions() {
    LatencyOptions o = LatencyOptions.parse("--rates", "0.1,1.5", "--seconds", "5", "--partitions", "48",
        "--keys", "uuidv7", "--max-rate", "40_000");
    assertThat(o.fractions()).isEqualTo(List.of(0.1, 1.5));
    assertThat(o.e2e().partitions()).isEqualTo(48);
    assertThat(o.e2e().uuidv7Keys()).isTrue();
    assertThat(o.maxRate()).isEqualTo(40_000);
  }

  @Test
  void rejectsBadValuesByName() {
    assertThatThrownBy(() -> LatencyOptions.parse("--rates", "0")).hasMessageStartingWith("--rates");
    assertThatThrownBy(() -> LatencyOptions.parse("--modes", "replay")).hasMessageContaining("no latency");
    assertThatThrownBy(() -> LatencyOptions.parse("--records", "5")).hasMessageStartingWith("unknown option --records");
  }
}
