package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.BatchHandler;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.DuplicateCause;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.outbox.internal.OutboxWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of one dedup transaction: claim the plan's keys, classify the duplicates, call the handler
 * for the fresh records, hand unusable records to the recoverer.
 */
final class BatchApplier<K, V> {
  private static final Logger log = LoggerFactory.getLogger(io.github.kafkadedup.consumer.DedupProcessor.class);

  private final PostgresClaimStore store;
  private final DedupConfig config;
  private final String scope;
  private final BatchHandler<K, V> handler;
  private final Recoverer<K, V> recoverer;
  private final DedupMetrics metrics;
  private final @Nullable OutboxWriter<?, ?> outbox;

  BatchApplier(PostgresClaimStore store, DedupConfig config, String scope, BatchHandler<K, V> handler,
      Recoverer<K, V> recoverer, @Nullable OutboxWriter<?, ?> outbox) {
    this.outbox = outbox;
    this.store = store;
    this.config = config;
    this.scope = scope;
    this.handler = handler;
    this.recoverer = recoverer;
    this.metrics = config.metrics();
  }

  Tally apply(Connection c, Plan<K, V> plan) throws Exception {
    Tally tally = new Tally();
    List<Candidate<K, V>> candidates = plan.candidates();
    long start = System.nanoTime();
    PostgresClaimStore.Claims claims = store.claimAll(c, scope, candidates);
    metrics.claim(scope, candidates.size(), System.nanoTime() - start);

    boolean observe = config.mode() == DedupConfig.Mode.OBSERVE;
    List<ConsumerRecord<K, V>> toHandle = new ArrayList<>(plan.items().size());
    HandlerContext context = new HandlerContext(c, scope, outbox);
    List<Plan.Item<K, V>> toRecover = new ArrayList<>();
    for (Plan.Item<K, V> item : plan.items()) {
      if (item.rejection() != null) {
        toRecover.add(item);
      } else if (item.key() == null) {
        toHandle.add(item.record()); // KeyStrategy.none(): nothing to claim
      } else if (item.repeat()) {
        duplicate(tally, item.record(), DuplicateCause.RESEND, null);
        if (observe) {
          toHandle.add(item.record());
        }
      } else if (claims.isFresh(item.key())) {
        toHandle.add(item.record());
      } else if (classifyDuplicate(c, tally, item.candidate(), claims.firstClaim(item.key()), toRecover)
          || observe) {
        toHandle.add(item.record());
      }
    }
    if (!toHandle.isEmpty()) {
      Set<ConsumerRecord<K, V>> handled = Collections.newSetFromMap(new IdentityHashMap<>());
      handled.addAll(toHandle);
      for (Plan.Item<K, V> item : plan.items()) {
        if (handled.contains(item.record())) {
          context.handles(item.record(), item.key()); // outbox keys derive from the handled record's key
        }
      }
      handler.handle(toHandle, context);
      context.flush();
      tally.processed += toHandle.size();
    }
    for (Plan.Item<K, V> item : toRecover) {
      tally.add(deadLetter(c, item.record(), item.key(), item.rejection() != null ? item.rejection()
          : DedupException.deadLetteredBefore(item.record(), String.valueOf(item.key()))));
    }
    return tally;
  }

  /** Counts a duplicate; returns true if it must be handled anyway (replay of a dead-lettered key). */
  private boolean classifyDuplicate(Connection c, Tally tally,
      Candidate<K, V> candidate, @Nullable StoredClaim first, List<Plan.Item<K, V>> toRecover)
      throws SQLException {
    DuplicateCause cause = candidate.duplicateCause(first);
    if (first != null && first.deadLettered() && cause == DuplicateCause.RESEND) {
      switch (config.deadLetteredReplay()) {
        case RECOVER -> {
          toRecover.add(new Plan.Item<>(candidate.record(), candidate.key(), false, null));
          return false;
        }
        case REPROCESS -> {
          store.mark(c, scope, candidate, false);
          log.info("[{}] reprocessing dead-lettered key {} at {}", scope, candidate.key(),
              RecordLog.where(candidate.record()));
          return true;
        }
        case SKIP -> log.warn("[{}] skipping replay of dead-lettered key {} at {}", scope, candidate.key(),
            RecordLog.where(candidate.record()));
      }
    }
    duplicate(tally, candidate.record(), cause, first);
    return false;
  }

  private void duplicate(Tally tally, ConsumerRecord<K, V> record,
      DuplicateCause cause, @Nullable StoredClaim first) {
    if (cause == DuplicateCause.REDELIVERY) {
      tally.redeliveries++;
    } else {
      tally.resends++;
    }
    RecordLog.duplicate(log, scope, cause, record, first);
  }

  /** Hands {@code record} to the recoverer and records its key (if any) as dead-lettered. */
  Tally deadLetter(Connection c, ConsumerRecord<K, V> record, @Nullable String key,
      DedupException reason) throws Exception {
    if (key != null) {
      Candidate<K, V> candidate = new Candidate<>(record, key);
      PostgresClaimStore.Claims claimed = store.claimDead(c, scope, candidate);
      if (!claimed.isFresh(key)) {
        StoredClaim first = claimed.firstClaim(key);
        if (first != null && candidate.isSameRecordAs(first)) {
          // another consumer (a zombie or the new owner) already applied or dead-lettered this very record
          Tally tally = new Tally();
          duplicate(tally, record, DuplicateCause.REDELIVERY, first);
          return tally;
        }
        store.mark(c, scope, candidate, true); // a replay of the key at another offset failed again
      }
    }
    if (recoverer instanceof DeadLetterTable<K, V> table) {
      // in this transaction, with the D claim: a failure here rolls both back (and is retried if transient)
      if (!table.store(c, config.schema(), scope, record, key, reason)) {
        Tally tally = new Tally(); // a transaction whose commit outcome was unknown stored it already
        duplicate(tally, record, DuplicateCause.REDELIVERY, null);
        return tally;
      }
    } else {
      try {
        recoverer.recover(record, reason);
      } catch (Exception e) {
        throw DedupException.recovererFailed(record, key, e);
      }
    }
    log.warn("[{}] dead-lettered {}: {}", scope, RecordLog.where(record), reason.getMessage());
    Tally tally = new Tally();
    tally.deadLettered = 1;
    tally.deadLetterKinds.add(reason.kind());
    return tally;
  }
}
