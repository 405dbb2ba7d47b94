package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.BatchHandler;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupContext;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.DuplicateCause;
import io.github.kafkadedup.consumer.Recoverer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jooq.DSLContext;
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

  BatchApplier(PostgresClaimStore store, DedupConfig config, String scope, BatchHandler<K, V> handler,
      Recoverer<K, V> recoverer) {
    this.store = store;
    this.config = config;
    this.scope = scope;
    this.handler = handler;
    this.recoverer = recoverer;
    this.metrics = config.metrics();
  }

  TransactionalBatchProcessor.Tally apply(Connection c, Plan<K, V> plan) throws Exception {
    TransactionalBatchProcessor.Tally tally = new TransactionalBatchProcessor.Tally();
    PostgresClaimStore.Claims claims = store.claimAll(c, scope, plan.candidates(), metrics);

    boolean observe = config.mode() == DedupConfig.Mode.OBSERVE;
    List<ConsumerRecord<K, V>> toHandle = new ArrayList<>(plan.items().size());
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
      handler.handle(toHandle, new Context(c, scope));
      tally.processed += toHandle.size();
    }
    for (Plan.Item<K, V> item : toRecover) {
      tally.add(deadLetter(c, item.record(), item.key(), item.rejection() != null ? item.rejection()
          : DedupException.deadLetteredBefore(item.record(), String.valueOf(item.key()))));
    }
    return tally;
  }

  /** Counts a duplicate; returns true if it must be handled anyway (replay of a dead-lettered key). */
  private boolean classifyDuplicate(Connection c, TransactionalBatchProcessor.Tally tally,
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

  private void duplicate(TransactionalBatchProcessor.Tally tally, ConsumerRecord<K, V> record,
      DuplicateCause cause, @Nullable StoredClaim first) {
    if (cause == DuplicateCause.REDELIVERY) {
      tally.redeliveries++;
    } else {
      tally.resends++;
    }
    RecordLog.duplicate(log, scope, cause, record, first);
  }

  /** Hands {@code record} to the recoverer and records its key (if any) as dead-lettered. */
  TransactionalBatchProcessor.Tally deadLetter(Connection c, ConsumerRecord<K, V> record, @Nullable String key,
      DedupException reason) throws Exception {
    if (key != null) {
      Candidate<K, V> candidate = new Candidate<>(record, key);
      if (!store.claimDead(c, scope, candidate)) {
        StoredClaim first = store.lookup(c, scope, List.of(key)).get(key);
        if (first != null && candidate.isSameRecordAs(first)) {
          // another consumer (a zombie or the new owner) already applied or dead-lettered this very record
          TransactionalBatchProcessor.Tally tally = new TransactionalBatchProcessor.Tally();
          duplicate(tally, record, DuplicateCause.REDELIVERY, first);
          return tally;
        }
        store.mark(c, scope, candidate, true); // a replay of the key at another offset failed again
      }
    }
    try {
      recoverer.recover(record, reason);
    } catch (Exception e) {
      throw DedupException.recovererFailed(record, key, e);
    }
    log.warn("[{}] dead-lettered {}: {}", scope, RecordLog.where(record), reason.getMessage());
    TransactionalBatchProcessor.Tally tally = new TransactionalBatchProcessor.Tally();
    tally.deadLettered = 1;
    tally.deadLetterKinds.add(reason.kind());
    return tally;
  }

  /** The handler's view of the transaction. */
  private static final class Context implements DedupContext {
    private final Connection connection;
    private final String scope;
    private @Nullable DSLContext dsl;

    Context(Connection connection, String scope) {
      this.connection = connection;
      this.scope = scope;
    }

    @Override
    public Connection connection() {
      return connection;
    }

    @Override
    public DSLContext dsl() {
      if (dsl == null) {
        dsl = JooqContexts.using(connection);
      }
      return dsl;
    }

    @Override
    public String scope() {
      return scope;
    }
  }
}
