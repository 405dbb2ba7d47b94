package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.internal.EngineRules;
import io.github.kafkadedup.consumer.internal.Classifier;
import io.github.kafkadedup.consumer.internal.Plan;
import io.github.kafkadedup.consumer.internal.SequenceGate;
import java.util.Collection;
import java.util.Map;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.listener.adapter.AbstractDelegatingMessageListenerAdapter;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The base of kafka-dedup's listener adapters, shaped like spring-kafka's: its superclass holds the delegate,
 * works out the listener type once ({@code delegateType}) and forwards the seek and rebalance callbacks
 * ({@code ConsumerSeekAware}); this class adds what every adapter needs: the claim step, the transactions, the
 * scope, the database watch, and the way a record listener is called and a failure is named to the container's
 * error handler. Each subclass funnels every {@code onMessage} overload into one method.
 *
 * @param <L> the delegate's listener type
 */
abstract class DedupListenerAdapter<L> extends AbstractDelegatingMessageListenerAdapter<L> {
  static final Logger log = LoggerFactory.getLogger(DedupListeners.class);

  final ClaimStep claims;
  final TransactionTemplate transactions;
  final String scope;
  final ContainerDatabaseWatch watch;
  /** The container's sequencing, or null without; set by {@link DedupListeners#decorate} before it starts. */
  @Nullable SequenceGate<?, ?> gate;
  /** The container's heartbeats, or null if off; set by {@link DedupListeners#decorate} before it starts. */
  @Nullable ContainerHeartbeats heartbeats;

  DedupListenerAdapter(L delegate, ClaimStep claims, TransactionTemplate transactions, String scope,
      ContainerDatabaseWatch watch) {
    super(delegate);
    this.claims = claims;
    this.transactions = transactions;
    this.scope = scope;
    this.watch = watch;
  }

  /** @return what the container gets, for the start-up log line (e.g. "batch listener, one transaction per poll") */
  abstract String shape();

  /** Claims {@code items} in the current transaction ({@link ClaimStep#claim}), by the sequencing rules if on. */
  final <K, V> Classifier.Verdict<K, V> claim(List<Plan.Item<K, V>> items) {
    return claims.claim(scope, gate, items);
  }

  /**
   * A new assignment or a revocation: the sequencing forgets what it knew of those partitions (a new owner
   * loads what is parked), then the delegate hears of it.
   */
  @Override
  public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
    if (gate != null) {
      gate.forget(assignments.keySet());
    }
    super.onPartitionsAssigned(assignments, callback);
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    if (gate != null) {
      gate.forget(partitions);
    }
    super.onPartitionsRevoked(partitions);
  }

  /** A poll was delivered to this consumer thread: its heartbeat row is written if due. */
  final void polled(@Nullable Consumer<?, ?> consumer) {
    if (heartbeats != null) {
      heartbeats.polled(consumer);
    }
  }

  /** A poll (or record) of this consumer thread committed: its heartbeat counts it. */
  final void progressed(int records) {
    if (heartbeats != null) {
      heartbeats.progressed(records);
    }
  }

  /** The container is idle (no records for its {@code idleEventInterval}): the heartbeat shows it still polls. */
  @Override
  public void onIdleContainer(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
    polled(null);
    super.onIdleContainer(assignments, callback);
  }

  /** The consumer thread ends (the container stops): its heartbeat row is marked stopped. */
  @Override
  public void unregisterSeekCallback() {
    if (heartbeats != null) {
      heartbeats.stopped();
    }
    if (delegate instanceof ConsumerSeekAware seekAware) {
      seekAware.unregisterSeekCallback();
    }
  }

  /** One database transaction; its commit tells the database watch that the database works. */
  final <T> @Nullable T inTransaction(TransactionCallback<T> work) {
    T result = CommitOutcome.execute(transactions, work);
    watch.worked();
    return result;
  }

  /**
   * A transaction failed: the database watch counts a transient failure toward an outage.
   *
   * @return whether it is transient (the error handler's BackOff retries it)
   */
  final boolean failed(RuntimeException failure) {
    watch.failed(failure);
    return DedupListeners.isTransient(failure);
  }

  /** Logs a failed transaction: what failed, how it was classified, and what happens next. */
  final void logFailure(String what, RuntimeException failure, String then) {
    log.warn("[{}] {} failed for {} ({}): {}; {}", scope, FailureClass.stage(failure), what,
        FailureClass.describe(failure), failure, then);
  }

  /** Calls a record listener by the overload its type takes. */
  final <K, V> void invokeRecord(MessageListener<K, V> listener, ConsumerRecord<K, V> record,
      @Nullable Acknowledgment ack, @Nullable Consumer<?, ?> consumer) {
    switch (delegateType) {
      case ACKNOWLEDGING_CONSUMER_AWARE -> listener.onMessage(record, ack, consumer);
      case ACKNOWLEDGING -> listener.onMessage(record, ack);
      case CONSUMER_AWARE -> listener.onMessage(record, consumer);
      case SIMPLE -> listener.onMessage(record);
    }
  }

  /**
   * Where {@code record} is among {@code items}: the item holding that very record or, failing that, the one at
   * its topic-partition and offset. A batch listener may name a copy of a record it received (one rebuilt from a
   * {@code Message}, say) in its {@link BatchListenerFailedException}; within one poll the position Kafka gave a
   * record identifies it.
   *
   * @return its index, or -1 if it is not among them
   */
  static int positionOf(List<? extends Plan.Item<?, ?>> items, ConsumerRecord<?, ?> record) {
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i).record() == record) {
        return i;
      }
    }
    for (int i = 0; i < items.size(); i++) {
      ConsumerRecord<?, ?> r = items.get(i).record();
      if (r.topic().equals(record.topic()) && r.partition() == record.partition() && r.offset() == record.offset()) {
        return i;
      }
    }
    return -1;
  }

  /** The failure of a record the engine rejected (no usable key, a dead-lettered key's replay), for the handler. */
  static BatchListenerFailedException rejected(ConsumerRecord<?, ?> record, RuntimeException reason) {
    return new BatchListenerFailedException(reason.getMessage(), reason, record);
  }

  /** The rejection of {@code item}, for the error handler. */
  static BatchListenerFailedException rejected(Plan.Item<?, ?> item) {
    DedupException reason = java.util.Objects.requireNonNull(item.rejection());
    return rejected(item.record(), reason);
  }

  /** The failure of the poison record {@code record}, for the error handler: the listener's own exception as cause. */
  static BatchListenerFailedException failedAt(ConsumerRecord<?, ?> record, RuntimeException failure) {
    BatchListenerFailedException named = namedFailure(failure);
    Throwable cause = named != null && named.getCause() != null ? named.getCause() : failure;
    while (cause instanceof ListenerExecutionFailedException && cause.getCause() != null) {
      cause = cause.getCause(); // the listener's own exception, for the DLT headers and the logs
    }
    return new BatchListenerFailedException("listener failed at " + EngineRules.where(record) + ": " + cause,
        cause, record);
  }

  /** The {@link BatchListenerFailedException} among {@code failure} and its causes, if any. */
  static @Nullable BatchListenerFailedException namedFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BatchListenerFailedException named) {
        return named;
      }
    }
    return null;
  }
}
