package io.github.kafkadedup.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class IdempotencyKeysTest {
  private static final int KEYS = 1_000_000;
  /** 16 counter bits: the timestamp can run ahead of the clock by one millisecond per 65,536 keys. */
  private static final int KEYS_PER_MILLI = 65_536;

  @Test
  void aMillionKeysAreStrictlyIncreasingAsUuidsAndAsTextSoAllAreUnique() {
    long before = System.currentTimeMillis();
    UUID previous = IdempotencyKeys.newKey();
    String previousText = previous.toString();
    for (int i = 1; i < KEYS; i++) {
      UUID key = IdempotencyKeys.newKey();
      String text = key.toString();
      if (key.compareTo(previous) <= 0 || text.compareTo(previousText) <= 0) {
        fail("key " + i + " " + text + " is not greater than the one before, " + previousText);
      }
      if (key.version() != 7 || key.variant() != 2) {
        fail("key " + i + " " + text + " is version " + key.version() + " variant " + key.variant());
      }
      previous = key;
      previousText = text;
    }
    long after = System.currentTimeMillis();
    assertThat(IdempotencyKeys.unixMillis(previous))
        .as("the last key's time: never before the start, ahead of the clock by at most one ms per 65,536 keys")
        .isBetween(before, after + KEYS / KEYS_PER_MILLI + 1);
  }

  @Test
  void keysCarryTheCurrentTimeVersion7AndVariant2() {
    long before = System.currentTimeMillis();
    UUID key = IdempotencyKeys.newKey();
    long after = System.currentTimeMillis();

    assertThat(key.version()).isEqualTo(7);
    assertThat(key.variant()).isEqualTo(2);
    assertThat(IdempotencyKeys.unixMillis(key)).isBetween(before - 1, after + 1);
    assertThat(UUID.fromString(key.toString())).isEqualTo(key);
  }

  @Test
  void keysFromConcurrentThreadsAreUniqueAndIncreasingPerThread() throws InterruptedException {
    int threads = 4;
    int perThread = 100_000;
    UUID[][] keys = new UUID[threads][perThread];
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      UUID[] mine = keys[t];
      workers.add(Thread.ofPlatform().start(() -> {
        awaitQuietly(start);
        for (int i = 0; i < perThread; i++) {
          mine[i] = IdempotencyKeys.newKey();
        }
      }));
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }

    UUID[] all = new UUID[threads * perThread];
    for (int t = 0; t < threads; t++) {
      for (int i = 1; i < perThread; i++) {
        assertThat(keys[t][i]).isGreaterThan(keys[t][i - 1]);
      }
      System.arraycopy(keys[t], 0, all, t * perThread, perThread);
    }
    Arrays.sort(all);
    for (int i = 1; i < all.length; i++) {
      if (all[i].equals(all[i - 1])) {
        fail("two threads generated the same key " + all[i]);
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
