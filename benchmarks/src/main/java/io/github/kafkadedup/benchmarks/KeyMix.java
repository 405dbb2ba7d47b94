package io.github.kafkadedup.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Batches of dedup keys in a chosen mix: each key is, with probability {@code duplicatePercent}%, one
 * that was claimed before (taken from a pool, never twice in one batch while the pool is larger than
 * the batch), otherwise a fresh random UUID. Deterministic for a seed.
 */
public final class KeyMix {
  private final List<String> claimed;
  private final int duplicatePercent;
  private final SplittableRandom random;
  private int cursor;

  /**
   * @param claimed keys already claimed in the store under test (shuffled here)
   * @param duplicatePercent 0 to 100
   * @param seed random seed
   * @throws IllegalArgumentException if {@code duplicatePercent} is out of range, or duplicates are asked
   *     for with an empty pool
   */
  public KeyMix(List<String> claimed, int duplicatePercent, long seed) {
    if (duplicatePercent < 0 || duplicatePercent > 100) {
      throw new IllegalArgumentException("duplicatePercent must be between 0 and 100, but was "
          + duplicatePercent);
    }
    if (duplicatePercent > 0 && claimed.isEmpty()) {
      throw new IllegalArgumentException("duplicates need a non-empty pool of claimed keys");
    }
    this.claimed = new ArrayList<>(claimed);
    Collections.shuffle(this.claimed, new Random(seed));
    this.duplicatePercent = duplicatePercent;
    this.random = new SplittableRandom(seed);
  }

  /**
   * {@code n} fresh random UUID strings.
   *
   * @param n how many
   * @param seed random seed
   * @return the keys
   */
  public static List<String> freshKeys(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add(randomUuid(random));
    }
    return keys;
  }

  /**
   * The next batch.
   *
   * @param n batch size
   * @return {@code n} keys in the configured mix
   */
  public String[] next(int n) {
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      if (duplicatePercent > 0 && random.nextInt(100) < duplicatePercent) {
        keys[i] = claimed.get(cursor);
        cursor = (cursor + 1) % claimed.size();
      } else {
        keys[i] = randomUuid(random);
      }
    }
    return keys;
  }

  private static String randomUuid(SplittableRandom random) {
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }
}
