package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.internal.EngineRules;
import java.time.Duration;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.support.Acknowledgment;

/**
 * The {@link Acknowledgment} the listener sees: an acknowledgment is held back until the database
 * transaction has committed (with {@code MANUAL_IMMEDIATE} the container would otherwise commit the offset
 * before the claim and the listener's writes are durable, and a crash in between would lose the record); a
 * negative acknowledgment marks the transaction rollback-only, because a record that is redelivered must
 * find its key unclaimed.
 */
final class DeferredAcknowledgment implements Acknowledgment {
  private final Acknowledgment target;
  private final IntUnaryOperator originalIndex;
  private boolean acknowledged;
  private int acknowledgedIndex = -1;
  private boolean nacked;

  /**
   * @param target the container's acknowledgment
   * @param originalIndex maps an index in the list the listener received to the index in the container's batch
   */
  DeferredAcknowledgment(Acknowledgment target, IntUnaryOperator originalIndex) {
    this.target = target;
    this.originalIndex = originalIndex;
  }

  /** For a batch: the listener's index {@code i} is {@code handed.get(i)} in {@code batch}. */
  static <K, V> DeferredAcknowledgment forBatch(Acknowledgment target, List<ConsumerRecord<K, V>> batch,
      List<ConsumerRecord<K, V>> handed) {
    return new DeferredAcknowledgment(target, i -> indexOf(batch, handed.get(i)));
  }

  private static int indexOf(List<? extends ConsumerRecord<?, ?>> batch, ConsumerRecord<?, ?> record) {
    for (int i = 0; i < batch.size(); i++) {
      if (batch.get(i) == record) {
        return i;
      }
    }
    throw new IllegalStateException("record " + EngineRules.where(record) + " is not in the batch");
  }

  @Override
  public void acknowledge() {
    acknowledged = true;
  }

  @Override
  public void acknowledge(int index) {
    acknowledgedIndex = Math.max(acknowledgedIndex, originalIndex.applyAsInt(index));
  }

  @Override
  public void nack(Duration sleep) {
    nacked = true;
    target.nack(sleep);
  }

  /** A batch nack redelivers the whole batch: its transaction (every record's claim and write) rolls back. */
  @Override
  public void nack(int index, Duration sleep) {
    nacked = true;
    target.nack(0, sleep);
  }

  @Override
  public boolean isOutOfOrderCommit() {
    return target.isOutOfOrderCommit();
  }

  /** Whether the listener nacked: the caller rolls its transaction back. */
  boolean nacked() {
    return nacked;
  }

  /** Forwards what the listener acknowledged; called after the commit. */
  void forward() {
    if (nacked) {
      return;
    }
    if (acknowledged) {
      target.acknowledge();
    } else if (acknowledgedIndex >= 0) {
      target.acknowledge(acknowledgedIndex);
    }
  }

  /** The acknowledgment for the listener, or {@code null} when the container passed none. */
  static @Nullable DeferredAcknowledgment of(@Nullable Acknowledgment ack) {
    return ack == null ? null : new DeferredAcknowledgment(ack, IntUnaryOperator.identity());
  }
}
