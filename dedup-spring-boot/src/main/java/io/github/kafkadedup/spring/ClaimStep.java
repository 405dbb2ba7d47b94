package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.internal.Classifier;
import io.github.kafkadedup.consumer.internal.Plan;
import io.github.kafkadedup.consumer.internal.EngineRules;
import io.github.kafkadedup.consumer.internal.SequenceGate;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Claims dedup keys on the connection of the Spring transaction bound to the current thread, with the
 * engine's one-round-trip claim and its classification ({@link Classifier}): the claim
 * commits or rolls back with whatever else that transaction wrote (the listener's {@code JdbcTemplate} or jOOQ
 * statements).
 */
final class ClaimStep {
  private final DataSource dataSource;
  private final DedupConfig config;
  private final KeyStrategy<Object, Object> keyStrategy;
  private final Classifier classifier;
  private final DedupMetrics metrics;

  ClaimStep(DataSource dataSource, DedupConfig config, KeyStrategy<Object, Object> keyStrategy) {
    this.dataSource = dataSource;
    this.config = config;
    this.keyStrategy = keyStrategy;
    this.classifier = Classifier.of(config);
    this.metrics = config.metrics();
  }

  DedupMetrics metrics() {
    return metrics;
  }

  DataSource dataSource() {
    return dataSource;
  }

  /**
   * The start of a poll in a listener adapter: notes the container's scope and sequencing on this consumer thread (for
   * {@link DeadLetterClaims}), then counts the poll and plans its records ({@link #plan}).
   *
   * @return the poll's items in order; empty (and nothing counted) for an empty poll
   */
  <K, V> List<Plan.Item<K, V>> startPoll(String scope, @Nullable SequenceGate<?, ?> gate,
      List<ConsumerRecord<K, V>> records) {
    DeadLetterClaims.enter(scope, gate);
    if (records.isEmpty()) {
      return List.of();
    }
    metrics.batch(scope, records.size());
    return plan(records).items();
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
   * Claims the keys of {@code items} (none of them rejected) in the current transaction and classifies each
   * record by the engine's rules ({@link Classifier}); with sequencing ({@code gate}), by the engine's
   * sequencing rules ({@link SequenceGate#claim}): records of a parked sequence are parked or queued, not handled.
   *
   * @return the records for the listener, in order, those for the recoverer (replays of dead-lettered keys),
   *     and the duplicates recognised
   * @throws DedupException of kind {@code DATABASE} if the claim fails (its cause keeps the SQLSTATE)
   */
  @SuppressWarnings("unchecked")
  <K, V> Classifier.Verdict<K, V> claim(String scope, @Nullable SequenceGate<?, ?> gate,
      List<Plan.Item<K, V>> items) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalStateException("kafka-dedup claims keys only inside a transaction");
    }
    Connection connection = DataSourceUtils.getConnection(dataSource);
    try {
      return gate == null ? classifier.claim(connection, scope, items)
          : ((SequenceGate<K, V>) gate).claim(connection, items);
    } catch (SQLException e) {
      throw DedupException.database("[" + scope + "] claiming " + items.size() + " keys failed", e);
    } finally {
      DataSourceUtils.releaseConnection(connection, dataSource);
    }
  }

  /**
   * Stores the key of {@code record}, which the error handler's recoverer has just taken, as dead-lettered
   * ({@code D}) in a transaction of its own, so that a replay of the key follows
   * {@link DedupConfig#deadLetteredReplay()} as in the engine. A record without a usable key leaves no claim.
   *
   * @return false if the claim shows that this very record was applied or dead-lettered already (a redelivery)
   * @throws DedupException of kind {@code DATABASE} if the claim fails
   */
  @SuppressWarnings("unchecked")
  boolean deadLettered(String scope, ConsumerRecord<?, ?> record, TransactionTemplate transactions) {
    Plan.Item<Object, Object> item = plan(List.of((ConsumerRecord<Object, Object>) record)).items().getFirst();
    String key = item.key();
    if (key == null) {
      return true; // no usable key: nothing to store, as in the engine
    }
    Boolean stored = CommitOutcome.execute(transactions, status -> {
      Connection connection = DataSourceUtils.getConnection(dataSource);
      try {
        return classifier.claimDeadLetter(connection, scope, record, key);
      } catch (SQLException e) {
        throw DedupException.database("[" + scope + "] storing the dead-lettered key of "
            + EngineRules.where(record) + " failed", e);
      } finally {
        DataSourceUtils.releaseConnection(connection, dataSource);
      }
    });
    return Boolean.TRUE.equals(stored);
  }
}
