package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.BatchResult;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.internal.Classifier;
import io.github.kafkadedup.consumer.internal.EngineRules;
import io.github.kafkadedup.consumer.internal.Plan;
import io.github.kafkadedup.consumer.internal.PoisonIsolation;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wraps a <em>record</em> listener so that the container delivers whole polls (it sees a batch listener): the
 * keys of a poll are claimed in one round trip and the unchanged record method is called for each fresh
 * record, in order, inside one database transaction committed once ({@code dedup.listener.transaction-per=poll}).
 * A failure falls back as the engine does and as {@code DefaultErrorHandler} expects of a batch listener:
 * <ul>
 *   <li>the record method throws (or nacks) at a record: the transaction rolls back, the records before it are
 *       applied again in a transaction of their own ({@link PoisonIsolation}), then a
 *       {@link BatchListenerFailedException} names the record, so the error handler commits the offsets before
 *       it and applies its BackOff, classification and recoverer to that record alone (a nack goes to the
 *       container's batch nack instead);
 *   <li>a transient database failure: the poll fails from its first record, so the BackOff retries all of it;
 *   <li>a record without a usable key, or the replay of a dead-lettered key ({@code deadLetteredReplay=RECOVER}):
 *       the records before it are applied, then it fails with {@link DedupException} (not retryable).
 * </ul>
 */
final class PollListenerAdapter<K, V> extends WholePollAdapter<K, V, MessageListener<K, V>> {
  private final boolean partialAcks;

  /**
   * @param partialAcks whether the container commits an acknowledged prefix of a poll
   *     ({@code AckMode.MANUAL_IMMEDIATE})
   */
  PollListenerAdapter(MessageListener<K, V> delegate, ClaimStep claims, TransactionTemplate transactions,
      String scope, boolean partialAcks, ContainerDatabaseWatch watch) {
    super(delegate, claims, transactions, scope, watch);
    this.partialAcks = partialAcks;
  }

  @Override
  String shape() {
    return "record listener, one transaction per poll";
  }

  @Override
  boolean usable(Plan.Item<K, V> item) {
    return item.rejection() == null && !Unreadable.check(item.record());
  }

  @Override
  void onPoll(List<ConsumerRecord<K, V>> records, List<Plan.Item<K, V>> items, int usable,
      @Nullable Acknowledgment acknowledgment, @Nullable Consumer<?, ?> consumer) {
    PollAcknowledgments acks = PollAcknowledgments.of(acknowledgment, records, partialAcks);
    if (usable > 0 && apply(items.subList(0, usable), acks, consumer)) {
      return; // nacked
    }
    if (usable < items.size()) {
      Plan.Item<K, V> item = items.get(usable);
      throw rejected(item.record(), item.rejection() != null ? item.rejection() : Unreadable.failure(item.record()));
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
    PoisonIsolation<Plan.Item<K, V>> isolation = isolation(prefix -> apply(prefix, acks, consumer));
    try {
      inTransaction(status -> {
        Classifier.Verdict<K, V> verdict = claim(items);
        attempt.verdict = verdict;
        if (!verdict.toRecover().isEmpty()) {
          attempt.stopAt = positionInPoll(items, verdict.toRecover().getFirst().record());
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
      return afterFailure(isolation, items, attempt, failure);
    }
    Classifier.Verdict<K, V> verdict = Objects.requireNonNull(attempt.verdict);
    if (attempt.stopAt >= 0) {
      return stop(isolation, items, attempt, acks);
    }
    verdict.report(claims.metrics(), scope, verdict.toHandle().size());
    EngineRules.logBatch(log, scope, new BatchResult(items.size(), verdict.toHandle().size(), verdict.redeliveries(),
        verdict.resends(), 0, false, Map.of()));
    return false;
  }

  /**
   * The transaction failed: at a record the listener threw for (not transient), that record is the poison; any
   * other failure (the claim, the commit, or a transient one) fails the poll from its first record, so that the
   * error handler's BackOff retries it or its recoverer gets that record.
   */
  private boolean afterFailure(PoisonIsolation<Plan.Item<K, V>> isolation, List<Plan.Item<K, V>> items,
      Attempt attempt, RuntimeException failure) {
    boolean retry = failed(failure);
    if (attempt.failedAt < 0 || retry) {
      logFailure("the poll of " + items.size() + " records from " + EngineRules.where(items.getFirst().record()),
          failure, retry ? "the error handler retries the poll with its BackOff"
              : "the error handler gets its first record");
      throw failedAt(items.getFirst().record(), failure); // BackOff retries the poll
    }
    int at = attempt.failedAt;
    claims.metrics().failure(scope, "batch");
    log.debug("[{}] listener failed at {} (not transient) in a poll of {} records: {}; applying the {} records "
        + "before it, then the error handler gets that record alone", scope,
        EngineRules.where(items.get(at).record()), items.size(), failure, at);
    return isolation.at(items, at, failure);
  }

  /**
   * The transaction stopped at a record without failing: the listener nacked it (the container redelivers it
   * and the rest, after the nack's sleep) or its key was dead-lettered (it fails alone). Either way the records
   * before it commit first.
   */
  private boolean stop(PoisonIsolation<Plan.Item<K, V>> isolation, List<Plan.Item<K, V>> items, Attempt attempt,
      @Nullable PollAcknowledgments acks) {
    int at = attempt.stopAt;
    if (attempt.nacked) {
      PollAcknowledgments nacked = Objects.requireNonNull(acks);
      Duration sleep = nacked.nackSleep(); // read before the records before it reset the acknowledgments
      return isolation.at(items, at, item -> {
        nacked.nack(at, sleep); // commits the offsets before it, redelivers the rest
        return true;
      });
    }
    Plan.Item<K, V> recover = Objects.requireNonNull(attempt.verdict).toRecover().getFirst();
    return isolation.at(items, at, item -> {
      throw rejected(recover);
    });
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
        OutboxOrigin.during(scope, item.key(), () -> invokeRecord(delegate, item.record(), ack, consumer));
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

  /** {@link #positionOf}, for a record the claim step returned: it is one of the poll's. */
  private static int positionInPoll(List<? extends Plan.Item<?, ?>> items, ConsumerRecord<?, ?> record) {
    int position = positionOf(items, record);
    if (position < 0) {
      throw new IllegalStateException("record " + EngineRules.where(record) + " is not in the poll");
    }
    return position;
  }

  /** What one transaction did: where it stopped and why. */
  private final class Attempt {
    Classifier.@Nullable Verdict<K, V> verdict;
    int failedAt = -1;
    int stopAt = -1;
    boolean nacked;
  }
}
