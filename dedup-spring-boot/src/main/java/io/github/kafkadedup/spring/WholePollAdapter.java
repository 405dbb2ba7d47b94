package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.internal.Plan;
import io.github.kafkadedup.consumer.internal.PoisonIsolation;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.listener.BatchAcknowledgingConsumerAwareMessageListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * An adapter the container calls with whole polls (it sees a batch listener), whatever its delegate is: every
 * {@code onMessage} overload funnels into {@link #onMessage(List, Acknowledgment, Consumer)}; a failure that
 * retrying cannot cure is isolated by {@link PoisonIsolation}, the poison record thrown to the error handler.
 *
 * @param <K> the record key type
 * @param <V> the record value type
 * @param <L> the delegate's listener type
 */
abstract class WholePollAdapter<K, V, L> extends DedupListenerAdapter<L>
    implements BatchAcknowledgingConsumerAwareMessageListener<K, V> {

  WholePollAdapter(L delegate, ClaimStep claims, TransactionTemplate transactions, String scope,
      ContainerDatabaseWatch watch) {
    super(delegate, claims, transactions, scope, watch);
  }

  /**
   * The rule for a failed transaction: each sub-list through {@code transaction}, the poison record thrown to
   * the error handler naming it ({@link #failedAt}).
   */
  final PoisonIsolation<Plan.Item<K, V>> isolation(PoisonIsolation.Transaction<Plan.Item<K, V>> transaction) {
    return PoisonIsolation.thrownToErrorHandler(transaction, (item, failure) -> {
      throw failedAt(item.record(), failure);
    });
  }

  /**
   * Starts the poll (plans its keys) and finds how far its records are usable; the first one that is not fails
   * alone once the records before it are applied.
   */
  @Override
  public final void onMessage(List<ConsumerRecord<K, V>> records, @Nullable Acknowledgment acknowledgment,
      @Nullable Consumer<?, ?> consumer) {
    polled(consumer);
    List<Plan.Item<K, V>> items = claims.startPoll(scope, gate, records);
    if (items.isEmpty()) {
      return;
    }
    int usable = 0;
    while (usable < items.size() && usable(items.get(usable))) {
      usable++;
    }
    onPoll(records, items, usable, acknowledgment, consumer);
    progressed(records.size());
  }

  /** Whether {@code item} can be applied (it has a usable key, say); the poll stops at the first that cannot. */
  abstract boolean usable(Plan.Item<K, V> item);

  /**
   * Applies the poll's first {@code usable} items, then fails the next one (if any) for the error handler.
   *
   * @param records the poll, as the container delivered it
   * @param items its planned items, in order
   * @param usable how many items from the first can be applied
   */
  abstract void onPoll(List<ConsumerRecord<K, V>> records, List<Plan.Item<K, V>> items, int usable,
      @Nullable Acknowledgment acknowledgment, @Nullable Consumer<?, ?> consumer);

  @Override
  public final void onMessage(List<ConsumerRecord<K, V>> data) {
    onMessage(data, null, null);
  }

  @Override
  public final void onMessage(List<ConsumerRecord<K, V>> data, @Nullable Acknowledgment acknowledgment) {
    onMessage(data, acknowledgment, null);
  }

  @Override
  public final void onMessage(List<ConsumerRecord<K, V>> data, @Nullable Consumer<?, ?> consumer) {
    onMessage(data, null, consumer);
  }
}
