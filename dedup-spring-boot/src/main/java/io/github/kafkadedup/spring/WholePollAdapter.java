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
