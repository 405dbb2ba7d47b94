package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.internal.Classifier;
import io.github.kafkadedup.consumer.internal.EngineRules;
import io.github.kafkadedup.consumer.internal.Plan;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.listener.AcknowledgingConsumerAwareMessageListener;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wraps a record listener with one database transaction per record ({@code dedup.listener.transaction-per=record};
 * the default, {@link PollListenerAdapter}, takes one per poll), holding the key claim and the listener's writes;
 * a duplicate commits nothing and never reaches the listener. A record without a usable key fails with
 * {@link DedupException} (not retryable) before anything is written, so the error handler hands it to its
 * recoverer. Every {@code onMessage} overload funnels into one method; the base ({@link DedupListenerAdapter})
 * holds the delegate and forwards the seek and rebalance callbacks.
 */
final class RecordListenerAdapter<K, V> extends DedupListenerAdapter<MessageListener<K, V>>
    implements AcknowledgingConsumerAwareMessageListener<K, V> {

  RecordListenerAdapter(MessageListener<K, V> delegate, ClaimStep claims, TransactionTemplate transactions,
      String scope, ContainerDatabaseWatch watch) {
    super(delegate, claims, transactions, scope, watch);
  }

  @Override
  String shape() {
    return "record listener, one transaction per record";
  }

  @Override
  public void onMessage(ConsumerRecord<K, V> record, @Nullable Acknowledgment acknowledgment,
      @Nullable Consumer<?, ?> consumer) {
    DeadLetterClaims.enter(scope, gate);
    polled(consumer);
    Plan.Item<K, V> item = claims.plan(List.of(record)).items().getFirst();
    DedupException rejection = item.rejection();
    if (rejection != null) {
      throw rejection;
    }
    DeferredAcknowledgment deferred = DeferredAcknowledgment.of(acknowledgment);
    Classifier.Verdict<K, V> verdict = execute(record, status -> {
      Classifier.Verdict<K, V> claimed = claim(List.of(item));
      if (!claimed.toRecover().isEmpty()) {
        status.setRollbackOnly();
      } else if (!claimed.toHandle().isEmpty()) {
        OutboxOrigin.during(scope, item.key(), () -> invokeRecord(delegate, record, deferred, consumer));
        if (deferred != null && deferred.nacked()) {
          status.setRollbackOnly();
        }
      }
      return claimed;
    });
    if (verdict == null || deferred != null && deferred.nacked()) {
      return;
    }
    if (!verdict.toRecover().isEmpty()) {
      throw Objects.requireNonNull(verdict.toRecover().getFirst().rejection()); // a dead-lettered key's replay
    }
    boolean handled = !verdict.toHandle().isEmpty();
    verdict.report(claims.metrics(), scope, handled ? 1 : 0);
    progressed(1);
    if (handled && deferred != null) {
      deferred.forward();
    } else if (!handled && acknowledgment != null) {
      acknowledgment.acknowledge(); // a duplicate is done: let its offset be committed
    }
  }

  /** Runs the record's transaction; a transient failure is logged (what failed, how classified) and thrown. */
  private Classifier.@Nullable Verdict<K, V> execute(ConsumerRecord<K, V> record,
      TransactionCallback<Classifier.Verdict<K, V>> work) {
    try {
      return inTransaction(work);
    } catch (RuntimeException failure) {
      if (failed(failure)) {
        logFailure(EngineRules.where(record), failure, "the error handler retries it with its BackOff");
      }
      throw failure;
    }
  }

  @Override
  public void onMessage(ConsumerRecord<K, V> data) {
    onMessage(data, null, null);
  }

  @Override
  public void onMessage(ConsumerRecord<K, V> data, @Nullable Acknowledgment acknowledgment) {
    onMessage(data, acknowledgment, null);
  }

  @Override
  public void onMessage(ConsumerRecord<K, V> data, @Nullable Consumer<?, ?> consumer) {
    onMessage(data, null, consumer);
  }
}
