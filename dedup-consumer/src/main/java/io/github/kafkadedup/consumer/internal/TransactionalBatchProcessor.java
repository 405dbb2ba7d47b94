package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.BatchHandler;
import io.github.kafkadedup.consumer.BatchResult;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.DedupProcessor;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.RecordHandler;
import io.github.kafkadedup.consumer.Recoverer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link DedupProcessor}: one transaction per batch, record-by-record transactions
 * after a non-transient failure, transient failures retried with backoff.
 */
public final class TransactionalBatchProcessor<K, V> implements DedupProcessor<K, V> {
  private static final Logger log = LoggerFactory.getLogger(DedupProcessor.class);

  private final DedupConfig config;
  private final String scope;
  private final KeyStrategy<K, V> keyStrategy;
  private final BatchHandler<K, V> handler;
  private final Recoverer<K, V> recoverer;
  private final Transactions tx;
  private final BatchApplier<K, V> applier;
  private final DedupMetrics metrics;

  /** Use {@link DedupProcessor#builder}. */
  public TransactionalBatchProcessor(DataSource dataSource, DedupConfig config, String scope,
      KeyStrategy<K, V> keyStrategy, @Nullable RecordHandler<K, V> recordHandler,
      @Nullable BatchHandler<K, V> batchHandler, Recoverer<K, V> recoverer, TransactionHook hook) {
    this.config = config;
    this.scope = scope;
    this.keyStrategy = keyStrategy;
    this.handler = batchHandler != null ? batchHandler : perRecord(recordHandler);
    this.recoverer = recoverer;
    this.metrics = config.metrics();
    this.tx = new Transactions(dataSource, scope, config, hook);
    this.applier = new BatchApplier<>(new PostgresClaimStore(config.schema()), config, scope, handler, recoverer);
  }

  private static <K, V> BatchHandler<K, V> perRecord(@Nullable RecordHandler<K, V> recordHandler) {
    java.util.Objects.requireNonNull(recordHandler, "recordHandler");
    return (records, context) -> {
      for (ConsumerRecord<K, V> record : records) {
        recordHandler.handle(record, context);
      }
    };
  }

  @Override
  public String scope() {
    return scope;
  }

  @Override
  public BatchResult process(List<ConsumerRecord<K, V>> records) {
    if (records.isEmpty()) {
      return BatchResult.EMPTY;
    }
    metrics.batch(scope, records.size());
    Plan<K, V> plan = Plan.of(records, keyStrategy, config);
    Tally tally;
    boolean split = false;
    try {
      tally = tx.run("batch of " + records.size(), records, c -> applier.apply(c, plan));
    } catch (Transactions.NonTransientFailure e) {
      split = true;
      metrics.failure(scope, "batch");
      log.warn("[{}] batch of {} records failed ({}); processing it record by record to isolate the "
          + "poison record", scope, records.size(), e.getCause().toString());
      tally = processOneByOne(plan);
    }
    tally.report(metrics, scope);
    BatchResult result = new BatchResult(records.size(), tally.processed, tally.redeliveries, tally.resends,
        tally.deadLettered, split, nextOffsets(records));
    logSummary(result);
    return result;
  }

  private Tally processOneByOne(Plan<K, V> plan) {
    Tally total = new Tally();
    for (Plan.Item<K, V> item : plan.items()) {
      Plan<K, V> single = Plan.single(item);
      List<ConsumerRecord<K, V>> one = List.of(item.record());
      try {
        total.add(tx.run("record " + RecordLog.where(item.record()), one, c -> applier.apply(c, single)));
      } catch (Transactions.NonTransientFailure e) {
        DedupException reason = DedupException.handlerFailed(item.record(), item.key(),
            e.getCause());
        try {
          total.add(tx.run("dead-lettering " + RecordLog.where(item.record()), one,
              c -> applier.deadLetter(c, item.record(), item.key(), reason)));
        } catch (Transactions.NonTransientFailure recovererFailure) {
          throw DedupException.recovererFailed(item.record(), item.key(), recovererFailure.getCause());
        }
      }
    }
    return total;
  }

  static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<? extends ConsumerRecord<?, ?>> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (ConsumerRecord<?, ?> r : records) {
      offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
          (a, b) -> a.offset() >= b.offset() ? a : b);
    }
    return offsets;
  }

  private void logSummary(BatchResult r) {
    if (r.duplicates() > 0 || r.deadLettered() > 0 || r.splitIntoRecords()) {
      log.info("[{}] batch of {}: {} processed, {} redeliveries, {} re-sends, {} dead-lettered{}", scope,
          r.records(), r.processed(), r.redeliveries(), r.resends(), r.deadLettered(),
          r.splitIntoRecords() ? " (split into records)" : "");
    } else if (log.isDebugEnabled()) {
      log.debug("[{}] batch of {}: {} processed", scope, r.records(), r.processed());
    }
  }
}
