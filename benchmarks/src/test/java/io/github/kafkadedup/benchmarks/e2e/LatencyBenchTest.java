package io.github.kafkadedup.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyBenchTest {

  @Test
  void aGroupBehindByItsLatencyKeepsUp() {
    // 45,000/s with ~30 ms in flight: ~1,350 records behind when the producer stops
    assertThat(LatencyBench.saturated(1_350, 45_000, true)).isFalse();
  }

  @Test
  void aBacklogOfMoreThanOneSecondIsSaturatedEvenIfItDrainsLater() {
    // the outbox chain at 45,586/s in RESULTS.md 12b: p50 12.4 s, drained within the minute, reported as keeping up
    assertThat(LatencyBench.saturated(560_000, 45_586, true)).isTrue();
    assertThat(LatencyBench.saturated(45_587, 45_586, true)).isTrue();
  }

  @Test
  void notDrainedAMinuteLaterIsSaturated() {
    assertThat(LatencyBench.saturated(0, 1_000, false)).isTrue();
  }
}
