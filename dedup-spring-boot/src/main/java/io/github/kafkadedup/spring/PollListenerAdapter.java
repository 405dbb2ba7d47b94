package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.BatchResult;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.internal.Classifier;
import io.github.kafkadedup.consumer.internal.EngineRules;
import io.github.kafkadedup.consumer.internal.Plan;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.BatchAcknowledgingConsumerAwareMessageListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.listener.adapter.AbstractDelegatingMessageListenerAdapter;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wraps a <em>record</em> listener so that the container delivers whole polls (it sees a batch listener): the
 * keys of a poll are claimed in one round trip and the unchanged record method is called for each fresh
 * record, in order, inside one database transaction committed once ({@code dedup.listener.transaction-per=poll}).
 * A failure falls back as the engine does and as {@code DefaultErrorHandler} expects of a batch listener:
 * <ul>
 *   <li>the record method throws (or nacks) at a record: the transaction rolls back, the records before it are
 *       applied again in a transaction of their own, then a {@link BatchListenerFailedException} names the
 *       record, so the error handler commits the offsets before it and applies its BackOff, classification and
 *       recoverer to that record alone (a nack goes to the container's batch nack instead);
 *   <li>a transient database failure: the poll fails from its first record, so the BackOff retries all of it;
 *   <li>a record without a usable key, or the replay of a dead-lettered key ({@code deadLetteredReplay=RECOVER}):
 *       the records before it are applied, then it fails with {@link DedupException} (not retryable).
 * </ul>
 */
final class PollListenerAdapter<K, V> extends AbstractDelegatingMessageListenerAdapter<MessageListener<K, V>>
    implements BatchAcknowledgingConsumerAwareMessageListener<K, V> {

  private static final Logger log = LoggerFactory.getLogger(DedupListeners.class);

  private final ClaimStep claims;
  private final TransactionTemplate transactions;
  private final String scope;
  private final boolean partialAcks;
  private final ContainerDatabaseWatch watch;

  /**
   * @param partialAcks whether the container commits an acknowledged prefix of a poll
   *     ({@code AckMode.MANUAL_IMMEDIATE})
   */
  PollListenerAdapter(MessageListener<K, V> delegate, ClaimStep claims, TransactionTemplate transactions,
      String scope, boolean partialAcks, ContainerDatabaseWatch watch) {
    super(delegate);
    this.watch = watch;
    this.claims = claims;
    this.transactions = transactions;
    this.scope = scope;
    this.partialAcks = partialAcks;
  }

  @Override
  public void onMessage(List<ConsumerRecord<K, V>> records, @Nullable Acknowledgment acknowledgment,
      @Nullable Consumer<?, ?> consumer) {
    List<Plan.Item<K, V>> items = claims.startPoll(scope, records);
    if (items.isEmpty()) {
      return;
    }
    int usable = 0;
    while (usable < items.size() && items.get(usable).rejection() == null
        && !Unreadable.check(items.get(usable).record())) {
      usable++;
    }
    PollAcknowledgments acks = PollAcknowledgments.of(acknowledgment, records, partialAcks);
    if (usable > 0 && apply(items.subList(0, usable), acks, consumer)) {
      return; // nacked
    }
    if (usable < items.size()) {
      Plan.Item<K, V> item = items.get(usable);
      RuntimeException reason = item.rejection() != null ? item.rejection() : Unreadable.failure(item.record());
      throw new BatchListenerFailedException(reason.getMessage(), reason, item.record());
    }
    if (acks != null) {
      acks.forward(records.size());
    }
  }

  /**
   * Applies {@code items} (a prefix of the poll) in one transaction; returns normally only if all of them
   * committed (true if the listener nacked one: the container redelivers it and the rest).
   */
  private boolean apply(List<Plan.Item<K, V>> items, @Nullable PollAcknowledgments acks,
      @Nullable Consumer<?, ?> consumer) {
    Attempt attempt = new Attempt();
    if (acks != null) {
      acks.reset();
    }
    try {
      CommitOutcome.execute(transactions, status -> {
        Classifier.Verdict<K, V> verdict = claims.claim(scope, items);
        attempt.verdict = verdict;
        if (!verdict.toRecover().isEmpty()) {
          attempt.stopAt = positionOf(items, verdict.toRecover().getFirst().record());
          status.setRollbackOnly(); // its claim and those after it must not commit
          return null;
        }
        invokeAll(verdict, items, acks, consumer, attempt);
        if (attempt.stopAt >= 0) {
          status.setRollbackOnly();
        }
        return null;
      });
    } catch (RuntimeException failure) {
      boolean retry = DedupListeners.isTransient(failure);
      watch.failed(failure);
      if (attempt.failedAt < 0 || retry) {
        log.warn("[{}] {} failed for the poll of {} records from {} ({}): {}; {}", scope, FailureClass.stage(failure),
            items.size(),
            EngineRules.where(items.getFirst().record()), FailureClass.describe(failure), failure,
            retry ? "the error handler retries the poll with its BackOff" : "the error handler gets its first record");
        throw BatchListenerAdapter.failedAt(items.getFirst().record(), failure); // BackOff retries the poll
      }
      int at = attempt.failedAt;
      claims.metrics().failure(scope, "batch");
      log.debug("[{}] listener failed at {} (not transient) in a poll of {} records: {}; applying the {} records "
          + "before it, then the error handler gets that record alone", scope,
          EngineRules.where(items.get(at).record()), items.size(), failure, at);
      if (at > 0 && apply(items.subList(0, at), acks, consumer)) {
        return true;
      }
      throw BatchListenerAdapter.failedAt(items.get(at).record(), failure);
    }
    watch.worked();
    Classifier.Verdict<K, V> verdict = Objects.requireNonNull(attempt.verdict);
    if (attempt.stopAt >= 0) {
      int at = attempt.stopAt;
      java.time.Duration sleep = attempt.nacked ? Objects.requireNonNull(acks).nackSleep() : null;
      if (at > 0 && apply(items.subList(0, at), acks, consumer)) {
        return true;
      }
      if (sleep != null) {
        Objects.requireNonNull(acks).nack(at, sleep); // commits the offsets before it, redelivers the rest
        return true;
      }
      Plan.Item<K, V> recover = verdict.toRecover().getFirst();
      DedupException reason = Objects.requireNonNull(recover.rejection());
      throw new BatchListenerFailedException(reason.getMessage(), reason, recover.record());
    }
    verdict.report(claims.metrics(), scope, verdict.toHandle().size());
    EngineRules.logBatch(log, scope, new BatchResult(items.size(), verdict.toHandle().size(), verdict.redeliveries(),
        verdict.resends(), 0, false, Map.of()));
    return false;
  }

  /** Calls the record method for each record to handle; stops at the first failure or nack. */
  private void invokeAll(Classifier.Verdict<K, V> verdict, List<Plan.Item<K, V>> items,
      @Nullable PollAcknowledgments acks, @Nullable Consumer<?, ?> consumer, Attempt attempt) {
    Set<ConsumerRecord<K, V>> toHandle = Collections.newSetFromMap(new IdentityHashMap<>());
    toHandle.addAll(verdict.toHandle());
    for (int i = 0; i < items.size(); i++) {
      Plan.Item<K, V> item = items.get(i);
      if (!toHandle.contains(item.record())) {
        if (acks != null) {
          acks.done(i); // a duplicate is acknowledged for the listener
        }
        continue;
      }
      Acknowledgment ack = acks == null ? null : acks.forRecord(i);
      try {
        OutboxOrigin.during(scope, item.key(), () -> invoke(item.record(), ack, consumer));
      } catch (RuntimeException e) {
        attempt.failedAt = i;
        throw e;
      }
      if (acks != null && acks.nackedAt() == i) {
        attempt.stopAt = i;
        attempt.nacked = true;
        return;
      }
    }
  }

  private void invoke(ConsumerRecord<K, V> record, @Nullable Acknowledgment ack, @Nullable Consumer<?, ?> consumer) {
    switch (delegateType) {
      case ACKNOWLEDGING_CONSUMER_AWARE -> delegate.onMessage(record, ack, consumer);
      case ACKNOWLEDGING -> delegate.onMessage(record, ack);
      case CONSUMER_AWARE -> delegate.onMessage(record, consumer);
      case SIMPLE -> delegate.onMessage(record);
    }
  }

  private static int positionOf(List<? extends Plan.Item<?, ?>> items, ConsumerRecord<?, ?> record) {
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i).record() == record) {
        return i;
      }
    }
    throw new IllegalStateException("record is not in the poll");
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

  /** What one transaction did: where it stopped and why. */
  private final class Attempt {
    Classifier.@Nullable Verdict<K, V> verdict;
    int failedAt = -1;
    int stopAt = -1;
    boolean nacked;
  }
}
