package io.github.kafkadedup.outbox.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with "equal jitter": half the capped delay fixed, half random. */
public final class Backoff {
  private final long initialMillis;
  private final long maxMillis;

  /**
   * @param initial the first delay
   * @param max the cap
   */
  public Backoff(Duration initial, Duration max) {
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
  }

  /** The delay before retry number {@code attempt} (1 = first retry). */
  public long delayMillis(int attempt) {
    long cap = Math.min(maxMillis, initialMillis << Math.min(attempt - 1, 30));
    long half = Math.max(1, cap / 2);
    return half + ThreadLocalRandom.current().nextLong(half + 1);
  }

  /** Sleeps before retry number {@code attempt}; returns false if interrupted. */
  public boolean sleep(int attempt) {
    try {
      Thread.sleep(delayMillis(attempt));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
