package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.DuplicateCause;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.internal.Candidate;
import io.github.kafkadedup.consumer.internal.Plan;
import io.github.kafkadedup.consumer.internal.PostgresClaimStore;
import io.github.kafkadedup.consumer.internal.RecordLog;
import io.github.kafkadedup.consumer.internal.StoredClaim;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Claims dedup keys on the connection of the Spring transaction bound to the current thread, with the
 * engine's one-round-trip {@link PostgresClaimStore}: the claim commits or rolls back with whatever else
 * that transaction wrote (the listener's {@code JdbcTemplate} or jOOQ statements).
 */
final class ClaimStep {
  private static final Logger log = LoggerFactory.getLogger("io.github.kafkadedup.spring.Duplicates");

  private final DataSource dataSource;
  private final DedupConfig config;
  private final KeyStrategy<Object, Object> keyStrategy;
  private final PostgresClaimStore store;
  private final DedupMetrics metrics;

  ClaimStep(DataSource dataSource, DedupConfig config, KeyStrategy<Object, Object> keyStrategy) {
    this.dataSource = dataSource;
    this.config = config;
    this.keyStrategy = keyStrategy;
    this.store = new PostgresClaimStore(config.schema());
    this.metrics = config.metrics();
  }

  DedupMetrics metrics() {
    return metrics;
  }

  /**
   * Derives the keys of {@code records} and marks in-batch repeats; never touches the database.
   *
   * @throws DedupException of kind {@code CONFIGURATION} if the key strategy claims no keys at all (a mode
   *     of the plain engine that relies on offsets stored in PostgreSQL, which listener containers lack)
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  <K, V> Plan<K, V> plan(List<ConsumerRecord<K, V>> records) {
    Plan<K, V> plan = (Plan<K, V>) Plan.of((List) records, keyStrategy, config);
    for (Plan.Item<K, V> item : plan.items()) {
      if (item.key() == null && item.rejection() == null) {
        throw DedupException.configuration("key strategy " + keyStrategy + " claims no keys; Spring Kafka "
            + "listeners need a key per record (header, record key, value or topic-partition-offset)");
      }
    }
    return plan;
  }

  /**
   * Claims the keys of {@code items} (none of them rejected) in the current transaction.
   *
   * @return the records for the listener, in order, and the duplicates recognised
   * @throws DedupException of kind {@code DATABASE} if the claim fails (its cause keeps the SQLSTATE)
   */
  <K, V> Outcome<K, V> claim(String scope, List<Plan.Item<K, V>> items) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalStateException("kafka-dedup claims keys only inside a transaction");
    }
    List<Candidate<K, V>> candidates = new ArrayList<>(items.size());
    for (Plan.Item<K, V> item : items) {
      if (!item.repeat()) {
        candidates.add(new Candidate<>(item.record(), requireKey(item)));
      }
    }
    Connection connection = DataSourceUtils.getConnection(dataSource);
    try {
      long start = System.nanoTime();
      PostgresClaimStore.Claims claims = store.claimAll(connection, scope, candidates);
      metrics.claim(scope, candidates.size(), System.nanoTime() - start);
      return classify(scope, items, claims);
    } catch (SQLException e) {
      throw DedupException.database("[" + scope + "] claiming " + candidates.size() + " keys failed", e);
    } finally {
      DataSourceUtils.releaseConnection(connection, dataSource);
    }
  }

  private <K, V> Outcome<K, V> classify(String scope, List<Plan.Item<K, V>> items,
      PostgresClaimStore.Claims claims) {
    boolean observe = config.mode() == DedupConfig.Mode.OBSERVE;
    List<ConsumerRecord<K, V>> toHandle = new ArrayList<>(items.size());
    int redeliveries = 0;
    int resends = 0;
    for (Plan.Item<K, V> item : items) {
      String key = requireKey(item);
      if (!item.repeat() && claims.isFresh(key)) {
        toHandle.add(item.record());
        continue;
      }
      StoredClaim first = item.repeat() ? null : claims.firstClaim(key);
      DuplicateCause cause = new Candidate<>(item.record(), key).duplicateCause(first);
      if (cause == DuplicateCause.REDELIVERY) {
        redeliveries++;
      } else {
        resends++;
      }
      RecordLog.duplicate(log, scope, cause, item.record(), first);
      if (observe) {
        toHandle.add(item.record());
      }
    }
    return new Outcome<>(toHandle, redeliveries, resends);
  }

  private static String requireKey(Plan.Item<?, ?> item) {
    String key = item.key();
    if (key == null) {
      throw new IllegalStateException("rejected record reached the claim: " + RecordLog.where(item.record()));
    }
    return key;
  }

  /**
   * What a claim found.
   *
   * @param toHandle the records for the listener (fresh ones; in observe mode every one)
   * @param redeliveries duplicates at the offset that claimed the key first
   * @param resends duplicates at other offsets (or repeated inside the batch)
   */
  record Outcome<K, V>(List<ConsumerRecord<K, V>> toHandle, int redeliveries, int resends) {

    /** Reports the counts; called after the transaction committed. */
    void report(DedupMetrics metrics, String scope, int handled) {
      if (handled > 0) {
        metrics.processed(scope, handled);
      }
      if (redeliveries > 0) {
        metrics.duplicates(scope, DuplicateCause.REDELIVERY, redeliveries);
      }
      if (resends > 0) {
        metrics.duplicates(scope, DuplicateCause.RESEND, resends);
      }
    }
  }
}
