package io.github.kafkadedup.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyMixTest {
  private final List<String> pool = KeyMix.freshKeys(5000, 1);

  @Test
  void freshKeysAreDistinctUuids() {
    String[] keys = new KeyMix(pool, 0, 2).next(2000);
    assertThat(new HashSet<>(Arrays.asList(keys))).hasSize(2000).doesNotContainAnyElementsOf(pool);
    assertThat(keys[0]).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  }

  @Test
  void allDuplicatesComeFromThePoolAndAreDistinctInABatch() {
    String[] keys = new KeyMix(pool, 100, 3).next(2000);
    assertThat(pool).containsAll(Arrays.asList(keys));
    assertThat(new HashSet<>(Arrays.asList(keys))).hasSize(2000);
  }

  @Test
  void aTenPercentMixHasAboutTenPercentDuplicates() {
    String[] keys = new KeyMix(pool, 10, 4).next(4000);
    Set<String> claimed = new HashSet<>(pool);
    long duplicates = Arrays.stream(keys).filter(claimed::contains).count();
    assertThat(duplicates).isBetween(300L, 500L);
  }

  @Test
  void rejectsAPercentOutOfRange() {
    assertThatThrownBy(() -> new KeyMix(pool, 101, 1))
        .hasMessage("duplicatePercent must be between 0 and 100, but was 101");
  }

  @Test
  void rejectsDuplicatesWithoutAPool() {
    assertThatThrownBy(() -> new KeyMix(List.of(), 10, 1))
        .hasMessage("duplicates need a non-empty pool of claimed keys");
  }

  @Test
  void medianAndPercentile() {
    assertThat(Stats.median(3, 1, 2)).isEqualTo(2);
    assertThat(Stats.median(4, 1, 2, 3)).isEqualTo(2.5);
    double[] sorted = new double[100];
    Arrays.setAll(sorted, i -> i + 1);
    assertThat(Stats.percentile(sorted, 50)).isEqualTo(50);
    assertThat(Stats.percentile(sorted, 99)).isEqualTo(99);
  }
}
