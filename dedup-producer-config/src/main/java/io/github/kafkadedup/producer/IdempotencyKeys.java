package io.github.kafkadedup.producer;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code idempotency-key} header and its keys: time-ordered UUIDs (version 7, RFC 9562).
 *
 * <p>A key's first 48 bits are the Unix time in milliseconds; a 16-bit counter follows (the 12 bits of
 * {@code rand_a} and the first 4 bits of {@code rand_b}, RFC 9562 section 6.2, method 1). Keys generated in
 * one JVM are therefore strictly increasing, also within one millisecond and across threads, whether
 * compared as {@link UUID}s or as their canonical strings. Should more than 65,536 keys be asked for within
 * one millisecond, the timestamp runs ahead of the clock until the clock catches up; when the clock steps
 * back, keys keep increasing from the last one. The remaining 58 bits differ per key and per JVM (seeded
 * from {@link SecureRandom}), which keeps the keys of different JVMs apart. Keys identify messages; they
 * are not secrets.
 */
public final class IdempotencyKeys {
  /** The record header that carries the key: {@value}. */
  public static final String HEADER = "idempotency-key";

  private static final int COUNTER_BITS = 16;
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  /** Milliseconds and counter of the last key: {@code unixMillis << 16 | counter}. */
  private static final AtomicLong last = new AtomicLong();
  private static final long seed = new SecureRandom().nextLong();

  private IdempotencyKeys() {}

  /**
   * A new key, greater than every key this JVM generated before.
   *
   * @return a version 7, variant 2 (RFC 9562) UUID
   */
  public static UUID newKey() {
    long now = System.currentTimeMillis() << COUNTER_BITS;
    long next = last.updateAndGet(previous -> Math.max(now, previous + 1));
    long millis = next >>> COUNTER_BITS;
    long counter = next & 0xFFFFL;
    long msb = millis << 16 | 0x7000L | counter >>> 4;
    long lsb = Long.MIN_VALUE | (counter & 0xFL) << 58 | mix64(seed + next * GOLDEN_GAMMA) >>> 6;
    return new UUID(msb, lsb);
  }

  /** The Unix time in milliseconds a version 7 key carries. */
  static long unixMillis(UUID key) {
    return key.getMostSignificantBits() >>> 16;
  }

  /** Stafford's mix13 finalizer, as in {@link java.util.SplittableRandom}: a bijection that scatters bits. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
