package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.BatchResult;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.internal.Classifier;
import io.github.kafkadedup.consumer.internal.Plan;
import io.github.kafkadedup.consumer.internal.EngineRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.BatchAcknowledgingConsumerAwareMessageListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.adapter.AbstractDelegatingMessageListenerAdapter;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wraps a batch listener: one database transaction per poll batch holding every key claim and the
 * listener's writes; the listener receives only the fresh records (in order). Failures are reported the
 * way {@code DefaultErrorHandler} expects: a {@link BatchListenerFailedException} naming a record is thrown
 * only after the records before it have committed (the error handler commits their offsets), so:
 * <ul>
 *   <li>a record without a usable key: the records before it are applied, then it fails (not retryable);
 *   <li>the listener names a failed record: the transaction rolls back, the records before it are applied
 *       again in a transaction of their own, then that record fails;
 *   <li>any other non-transient failure: the batch is applied record by record to isolate the poison
 *       record (as the engine does), which fails alone;
 *   <li>a transient database failure: the batch fails from its first record, so the error handler's
 *       BackOff retries all of it.
 * </ul>
 */
final class BatchListenerAdapter<K, V>
    extends AbstractDelegatingMessageListenerAdapter<BatchMessageListener<K, V>>
    implements BatchAcknowledgingConsumerAwareMessageListener<K, V> {
  private static final Logger log = LoggerFactory.getLogger(DedupListeners.class);

  private final ClaimStep claims;
  private final TransactionTemplate transactions;
  private final String scope;
  private final ContainerDatabaseWatch watch;

  BatchListenerAdapter(BatchMessageListener<K, V> delegate, ClaimStep claims, TransactionTemplate transactions,
      String scope, ContainerDatabaseWatch watch) {
    super(delegate);
    this.watch = watch;
    this.claims = claims;
    this.transactions = transactions;
    this.scope = scope;
  }

  @Override
  public void onMessage(List<ConsumerRecord<K, V>> records, @Nullable Acknowledgment acknowledgment,
      @Nullable Consumer<?, ?> consumer) {
    List<Plan.Item<K, V>> items = claims.startPoll(scope, records);
    if (items.isEmpty()) {
      return;
    }
    int rejected = 0;
    while (rejected < items.size() && items.get(rejected).rejection() == null) {
      rejected++;
    }
    boolean whole = rejected == items.size();
    Call<K, V> call = new Call<>(records, acknowledgment, consumer);
    if (rejected > 0) {
      apply(call, items.subList(0, rejected), whole);
    }
    if (!whole) {
      Plan.Item<K, V> item = items.get(rejected);
      DedupException reason = Objects.requireNonNull(item.rejection());
      throw new BatchListenerFailedException(reason.getMessage(), reason, item.record());
    }
  }

  /** Applies {@code items}; returns normally only if all of them committed (or the listener nacked). */
  private boolean apply(Call<K, V> call, List<Plan.Item<K, V>> items, boolean forwardAck) {
    try {
      return runInTransaction(call, items, forwardAck);
    } catch (RecoverAgain recover) {
      throw (BatchListenerFailedException) recover.getCause();
    } catch (RuntimeException failure) {
      BatchListenerFailedException named = namedFailure(failure);
      ConsumerRecord<?, ?> failed = named == null ? null : named.getRecord();
      int position = failed == null ? -1 : positionOf(items, failed);
      if (position >= 0) {
        if (position > 0 && apply(call, items.subList(0, position), false)) {
          return true;
        }
        throw failedAt(items.get(position).record(), failure);
      }
      boolean retry = DedupListeners.isTransient(failure);
      watch.failed(failure);
      if (retry) {
        log.warn("[{}] {} failed for the batch of {} records from {} ({}): {}; the error handler retries the "
            + "batch with its BackOff", scope, FailureClass.stage(failure),
            items.size(), EngineRules.where(items.getFirst().record()), FailureClass.describe(failure), failure);
      }
      if (items.size() == 1 || retry) {
        throw failedAt(items.getFirst().record(), failure);
      }
      log.warn("[{}] batch of {} records failed (not transient: {}); applying it record by record to isolate the "
          + "poison record", scope, items.size(), failure.toString());
      claims.metrics().failure(scope, "batch");
      for (Plan.Item<K, V> item : items) {
        if (apply(call, List.of(item), false)) {
          return true;
        }
      }
      if (forwardAck && call.acknowledgment != null) {
        call.acknowledgment.acknowledge();
      }
      return false;
    }
  }

  /** One transaction; returns whether the listener nacked. */
  private boolean runInTransaction(Call<K, V> call, List<Plan.Item<K, V>> items, boolean forwardAck) {
    Attempt<K, V> attempt = CommitOutcome.execute(transactions, status -> {
      Classifier.Verdict<K, V> verdict = claims.claim(scope, items);
      DeferredAcknowledgment deferred = null;
      if (!verdict.toRecover().isEmpty()) {
        status.setRollbackOnly(); // a replay of a dead-lettered key: apply the records before it, then fail it
      } else if (!verdict.toHandle().isEmpty()) {
        deferred = call.acknowledgment == null ? null
            : DeferredAcknowledgment.forBatch(call.acknowledgment, call.records, verdict.toHandle());
        DeferredAcknowledgment ack = deferred;
        OutboxOrigin.during(scope, keyOf(items, verdict.toHandle().getFirst()),
            () -> invokeNamingRecords(verdict.toHandle(), ack, call.consumer));
        if (deferred != null && deferred.nacked()) {
          status.setRollbackOnly();
        }
      }
      return new Attempt<>(verdict, deferred);
    });
    watch.worked();
    if (attempt == null || attempt.deferred != null && attempt.deferred.nacked()) {
      return true;
    }
    if (!attempt.verdict.toRecover().isEmpty()) {
      Plan.Item<K, V> recover = attempt.verdict.toRecover().getFirst();
      int position = positionOf(items, recover.record());
      if (position > 0 && apply(call, items.subList(0, position), false)) {
        return true;
      }
      DedupException reason = Objects.requireNonNull(recover.rejection());
      throw new RecoverAgain(new BatchListenerFailedException(reason.getMessage(), reason, recover.record()));
    }
    int handled = attempt.verdict.toHandle().size();
    attempt.verdict.report(claims.metrics(), scope, handled);
    EngineRules.logBatch(log, scope, new BatchResult(items.size(), handled, attempt.verdict.redeliveries(),
        attempt.verdict.resends(), 0, false, Map.of()));
    if (forwardAck && call.acknowledgment != null) {
      if (attempt.deferred != null) {
        attempt.deferred.forward();
      } else {
        call.acknowledgment.acknowledge(); // only duplicates: the batch is done
      }
    }
    return false;
  }

  /** The dedup key of {@code record}: the origin of the outbox sends of a batch (as in the plain engine). */
  private static <K, V> @Nullable String keyOf(List<Plan.Item<K, V>> items, ConsumerRecord<K, V> record) {
    for (Plan.Item<K, V> item : items) {
      if (item.record() == record) {
        return item.key();
      }
    }
    return null;
  }

  /** Calls the listener; a failure naming an index of the list it received is re-thrown naming the record. */
  private void invokeNamingRecords(List<ConsumerRecord<K, V>> records, @Nullable Acknowledgment ack,
      @Nullable Consumer<?, ?> consumer) {
    try {
      invoke(records, ack, consumer);
    } catch (RuntimeException failure) {
      BatchListenerFailedException named = namedFailure(failure);
      if (named == null || named.getRecord() != null || named.getIndex() < 0 || named.getIndex() >= records.size()) {
        throw failure;
      }
      String message = String.valueOf(named.getMessage()); // ends with " @-<index>"
      int suffix = message.lastIndexOf(" @-");
      throw new BatchListenerFailedException(suffix > 0 ? message.substring(0, suffix) : message,
          named.getCause(), records.get(named.getIndex()));
    }
  }

  @SuppressWarnings("unchecked")
  private void invoke(List<ConsumerRecord<K, V>> records, @Nullable Acknowledgment ack,
      @Nullable Consumer<?, ?> consumer) {
    if (delegate.wantsPollResult()) {
      delegate.onMessage(asPollResult(records), ack, (Consumer<K, V>) consumer);
      return;
    }
    switch (delegateType) {
      case ACKNOWLEDGING_CONSUMER_AWARE -> delegate.onMessage(records, ack, consumer);
      case ACKNOWLEDGING -> delegate.onMessage(records, ack);
      case CONSUMER_AWARE -> delegate.onMessage(records, consumer);
      case SIMPLE -> delegate.onMessage(records);
    }
  }

  private static <K, V> ConsumerRecords<K, V> asPollResult(List<ConsumerRecord<K, V>> records) {
    Map<TopicPartition, List<ConsumerRecord<K, V>>> byPartition = new LinkedHashMap<>();
    for (ConsumerRecord<K, V> r : records) {
      byPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>()).add(r);
    }
    return new ConsumerRecords<>(byPartition, Map.of());
  }

  private static @Nullable BatchListenerFailedException namedFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BatchListenerFailedException named) {
        return named;
      }
    }
    return null;
  }

  private static int positionOf(List<? extends Plan.Item<?, ?>> items, ConsumerRecord<?, ?> record) {
    for (int i = 0; i < items.size(); i++) {
      ConsumerRecord<?, ?> r = items.get(i).record();
      if (r == record || r.topic().equals(record.topic()) && r.partition() == record.partition()
          && r.offset() == record.offset()) {
        return i;
      }
    }
    return -1;
  }

  static BatchListenerFailedException failedAt(ConsumerRecord<?, ?> record, RuntimeException failure) {
    BatchListenerFailedException named = namedFailure(failure);
    Throwable cause = named != null && named.getCause() != null ? named.getCause() : failure;
    while (cause instanceof ListenerExecutionFailedException && cause.getCause() != null) {
      cause = cause.getCause(); // the listener's own exception, for the DLT headers and the logs
    }
    return new BatchListenerFailedException("listener failed at " + EngineRules.where(record) + ": " + cause,
        cause, record);
  }

  @Override
  public void onMessage(List<ConsumerRecord<K, V>> data) {
    onMessage(data, null, null);
  }

  @Override
  public void onMessage(List<ConsumerRecord<K, V>> data, @Nullable Acknowledgment acknowledgment) {
    onMessage(data, acknowledgment, null);
  }

  @Override
  public void onMessage(List<ConsumerRecord<K, V>> data, @Nullable Consumer<?, ?> consumer) {
    onMessage(data, null, consumer);
  }

  /** The container's call: the whole batch, its acknowledgment and consumer. */
  private record Call<K, V>(List<ConsumerRecord<K, V>> records, @Nullable Acknowledgment acknowledgment,
      @Nullable Consumer<?, ?> consumer) {}

  /** What one transaction did. */
  private record Attempt<K, V>(Classifier.Verdict<K, V> verdict, @Nullable DeferredAcknowledgment deferred) {}

  /** Carries the failure of a dead-lettered key's replay past the record-by-record fallback. */
  private static final class RecoverAgain extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RecoverAgain(BatchListenerFailedException failure) {
      super(failure.getMessage(), failure, false, false);
    }
  }
}
