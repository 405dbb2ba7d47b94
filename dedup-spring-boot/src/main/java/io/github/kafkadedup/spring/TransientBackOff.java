package io.github.kafkadedup.spring;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.listener.FailedRecordProcessor;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.FixedBackOff;

/**
 * The BackOff of a transient database failure: the error handler's own BackOff (the user's intervals), and once
 * that gives up, its last interval again (at least {@link #MIN_REPEAT_MS}) for as long as the failure lasts. A
 * transient failure is never the record's fault, so it must never reach the recoverer: a record whose database is
 * away waits for it (the container's database watch gives the partitions back meanwhile).
 */
final class TransientBackOff implements BackOff {
  /** The shortest interval repeated after the user's BackOff gave up, in milliseconds. */
  static final long MIN_REPEAT_MS = 1_000;

  private final BackOff first;

  private TransientBackOff(BackOff first) {
    this.first = first;
  }

  /** The BackOff of transient failures for {@code handler}: its own BackOff, then repeated. */
  static TransientBackOff of(FailedRecordProcessor handler) {
    BackOff own = backOffOf(handler);
    return new TransientBackOff(own != null ? own : new FixedBackOff(MIN_REPEAT_MS, FixedBackOff.UNLIMITED_ATTEMPTS));
  }

  @Override
  public BackOffExecution start() {
    BackOffExecution execution = first.start();
    return new BackOffExecution() {
      private long last = MIN_REPEAT_MS;
      private boolean exhausted;

      @Override
      public long nextBackOff() {
        if (!exhausted) {
          long next = execution.nextBackOff();
          if (next != STOP) {
            last = Math.max(next, 0);
            return next;
          }
          exhausted = true;
          last = Math.max(last, MIN_REPEAT_MS);
        }
        return last;
      }
    };
  }

  /**
   * The BackOff {@code handler} was built with (Spring Kafka keeps it in the handler's failure tracker, without
   * a public getter), or null if it cannot be read.
   */
  private static @Nullable BackOff backOffOf(FailedRecordProcessor handler) {
    try {
      Method tracker = FailedRecordProcessor.class.getDeclaredMethod("getFailureTracker");
      tracker.setAccessible(true);
      Object failureTracker = tracker.invoke(handler);
      Field backOff = failureTracker.getClass().getDeclaredField("backOff");
      backOff.setAccessible(true);
      return (BackOff) backOff.get(failureTracker);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "TransientBackOff{" + first + ", then its last interval until cured}";
  }
}
