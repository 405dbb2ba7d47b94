package io.github.kafkadedup.spring;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.support.Acknowledgment;

/**
 * The acknowledgments of the records of one poll handed one by one to a record listener: each record's
 * {@link Acknowledgment} only notes what the listener did; after the poll's transaction committed,
 * {@link #forward} acknowledges the container's batch (all of it, or with {@code MANUAL_IMMEDIATE} the
 * acknowledged prefix), and a nack becomes the batch nack at that record (offsets before it committed, the
 * rest redelivered). A duplicate counts as acknowledged.
 */
final class PollAcknowledgments {
  private final Acknowledgment target;
  private final boolean partial;
  private final boolean[] done;
  private int nackedAt = -1;
  private @Nullable Duration nackSleep;
  private int forwarded = -1;

  private PollAcknowledgments(Acknowledgment target, int size, boolean partial) {
    this.target = target;
    this.partial = partial;
    this.done = new boolean[size];
  }

  /** For the container's batch acknowledgment, or {@code null} when it passed none (not a manual ack mode). */
  static @Nullable PollAcknowledgments of(@Nullable Acknowledgment target, List<? extends ConsumerRecord<?, ?>> poll,
      boolean partial) {
    return target == null ? null : new PollAcknowledgments(target, poll.size(), partial);
  }

  /** The acknowledgment the record method sees for the record at {@code index} of the poll. */
  Acknowledgment forRecord(int index) {
    return new Acknowledgment() {
      @Override
      public void acknowledge() {
        done[index] = true;
      }

      @Override
      public void nack(Duration sleep) {
        nackedAt = index;
        nackSleep = sleep;
      }

      @Override
      public boolean isOutOfOrderCommit() {
        return target.isOutOfOrderCommit();
      }
    };
  }

  /** Notes the record at {@code index} as acknowledged (a duplicate). */
  void done(int index) {
    done[index] = true;
  }

  /** Forgets a nack of a transaction that rolled back. */
  void reset() {
    nackedAt = -1;
    nackSleep = null;
  }

  /** @return the index of the record the listener nacked in the current transaction, or -1 */
  int nackedAt() {
    return nackedAt;
  }

  /** @return the sleep of that nack */
  @Nullable Duration nackSleep() {
    return nackSleep;
  }

  /** Nacks the container's batch at {@code index}: the records before it are committed, the rest redelivered. */
  void nack(int index, Duration sleep) {
    target.nack(index, sleep);
  }

  /** Acknowledges what the listener acknowledged among the first {@code size} records; called after the commit. */
  void forward(int size) {
    int prefix = 0;
    while (prefix < size && done[prefix]) {
      prefix++;
    }
    if (prefix == done.length) {
      target.acknowledge();
      return;
    }
    int highest = -1;
    for (int i = 0; i < size; i++) {
      if (done[i]) {
        highest = i;
      }
    }
    if (partial && highest > forwarded) {
      target.acknowledge(highest); // as a record listener's later ack commits past an earlier record
      forwarded = highest;
    }
  }
}
