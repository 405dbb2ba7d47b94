package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.BatchResult;
import io.github.kafkadedup.consumer.internal.Classifier;
import io.github.kafkadedup.consumer.internal.Plan;
import io.github.kafkadedup.consumer.internal.EngineRules;
import io.github.kafkadedup.consumer.internal.PoisonIsolation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.BatchMessageListener;
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
 *       record ({@link PoisonIsolation}, as the engine does), which fails alone;
 *   <li>a transient database failure: the batch fails from its first record, so the error handler's
 *       BackOff retries all of it.
 * </ul>
 */
final class BatchListenerAdapter<K, V> extends WholePollAdapter<K, V, BatchMessageListener<K, V>> {
  private final boolean pollResult;

  BatchListenerAdapter(BatchMessageListener<K, V> delegate, ClaimStep claims, TransactionTemplate transactions,
      String scope, ContainerDatabaseWatch watch) {
    super(delegate, claims, transactions, scope, watch);
    this.pollResult = delegate.wantsPollResult();
  }

  @Override
  String shape() {
    return "batch listener, one transaction per poll";
  }

  @Override
  boolean usable(Plan.Item<K, V> item) {
    return item.rejection() == null;
  }

  @Override
  void onPoll(List<ConsumerRecord<K, V>> records, List<Plan.Item<K, V>> items, int usable,
      @Nullable Acknowledgment acknowledgment, @Nullable Consumer<?, ?> consumer) {
    boolean whole = usable == items.size();
    Call<K, V> call = new Call<>(records, acknowledgment, consumer);
    if (usable > 0) {
      apply(call, items.subList(0, usable), whole);
    }
    if (!whole) {
      throw rejected(items.get(usable));
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
        return isolation(call).at(items, position, failure);
      }
      boolean retry = failed(failure);
      if (retry) {
        logFailure("the batch of " + items.size() + " records from " + EngineRules.where(items.getFirst().record()),
            failure, "the error handler retries the batch with its BackOff");
      }
      if (items.size() == 1 || retry) {
        throw failedAt(items.getFirst().record(), failure);
      }
      log.warn("[{}] batch of {} records failed (not transient: {}); applying it record by record to isolate the "
          + "poison record", scope, items.size(), failure.toString());
      claims.metrics().failure(scope, "batch");
      if (isolation(call).oneByOne(items)) {
        return true;
      }
      if (forwardAck && call.acknowledgment != null) {
        call.acknowledgment.acknowledge();
      }
      return false;
    }
  }

  /** Poison-record isolation within {@code call}: each sub-list in a transaction of its own, no ack forwarded. */
  private PoisonIsolation<Plan.Item<K, V>> isolation(Call<K, V> call) {
    return isolation(sub -> apply(call, sub, false));
  }

  /** One transaction; returns whether the listener nacked. */
  private boolean runInTransaction(Call<K, V> call, List<Plan.Item<K, V>> items, boolean forwardAck) {
    Attempt<K, V> attempt = inTransaction(status -> {
      Classifier.Verdict<K, V> verdict = claim(items);
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
    if (attempt == null || attempt.deferred != null && attempt.deferred.nacked()) {
      return true;
    }
    if (!attempt.verdict.toRecover().isEmpty()) {
      Plan.Item<K, V> recover = attempt.verdict.toRecover().getFirst();
      return isolation(call).at(items, positionOf(items, recover.record()), item -> {
        throw new RecoverAgain(rejected(recover));
      });
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
    if (pollResult) {
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
