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
import io.github.kafkadedup.consumer.Sequencing;
import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.outbox.internal.Observations;
import io.github.kafkadedup.outbox.internal.OutboxWriter;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.sql.Connection;
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
  private static final Logger log = LoggerFactory.getLogger(EngineLoggers.PROCESSOR);

  private final DedupConfig config;
  private final String scope;
  private final KeyStrategy<K, V> keyStrategy;
  private final BatchHandler<K, V> handler;
  private final Recoverer<K, V> recoverer;
  private final Transactions tx;
  private final BatchApplier<K, V> applier;
  private final DedupMetrics metrics;
  private final ObservationRegistry observations;

  /**
   * Use {@link DedupProcessor#builder}: public only because that builder is in another
   * package; outside this module, module-info
   * lets only the Spring module see this package.
   */
  public TransactionalBatchProcessor(DataSource dataSource, DedupConfig config, String scope,
      KeyStrategy<K, V> keyStrategy, @Nullable RecordHandler<K, V> recordHandler,
      @Nullable BatchHandler<K, V> batchHandler, Recoverer<K, V> recoverer, TransactionHook hook,
      @Nullable Outbox<?, ?> outbox, @Nullable Sequencing<K, V> sequencing) {
    this.config = config;
    this.scope = scope;
    this.keyStrategy = keyStrategy;
    this.observations = config.observationRegistry();
    this.handler = batchHandler != null ? TracedHandlers.batch(batchHandler, observations, scope)
        : perRecord(TracedHandlers.record(java.util.Objects.requireNonNull(recordHandler, "recordHandler"),
            observations, scope));
    this.metrics = config.metrics();
    this.recoverer = DeadLetterPublisher.reporting(recoverer, metrics, scope);
    this.tx = new Transactions(dataSource, scope, config, hook);
    this.applier = new BatchApplier<>(config, scope, handler, this.recoverer,
        outbox == null ? null : ((OutboxWriter<?, ?>) outbox).observedBy(observations), sequencing);
  }

  @Override
  public void partitionsRevoked(java.util.Collection<TopicPartition> partitions) {
    applier.forget(partitions);
  }

  private static <K, V> BatchHandler<K, V> perRecord(@Nullable RecordHandler<K, V> recordHandler) {
    java.util.Objects.requireNonNull(recordHandler, "recordHandler");
    return (records, context) -> {
      for (ConsumerRecord<K, V> record : records) {
        if (context instanceof HandlerContext handlerContext) {
          handlerContext.entering(record); // its outbox sends get keys derived from this record
        }
        recordHandler.handle(record, context);
      }
    };
  }

  @Override
  public String scope() {
    return scope;
  }

  /** Where this processor's counts go (the poll loop reports its offset commits there too). */
  public DedupMetrics metrics() {
    return metrics;
  }

  @Override
  @SuppressWarnings("try") // the scope makes the batch span current; the body does not name it
  public BatchResult process(List<ConsumerRecord<K, V>> records) {
    if (records.isEmpty()) {
      return BatchResult.EMPTY;
    }
    if (!Observations.on(observations)) {
      return processBatch(records);
    }
    Observation batch = Observations.batch(observations, scope, records.size());
    try (Observation.Scope ignored = batch.openScope()) {
      return processBatch(records);
    } catch (RuntimeException | Error e) {
      batch.error(e);
      throw e;
    } finally {
      batch.stop();
    }
  }

  private BatchResult processBatch(List<ConsumerRecord<K, V>> records) {
    metrics.batch(scope, records.size());
    Plan<K, V> plan = Plan.of(records, keyStrategy, config);
    Tally tally;
    boolean split = false;
    try {
      tally = tx.run("batch of " + records.size(), records, (c, unapplied) -> applyUnapplied(c, plan, unapplied));
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

  /**
   * Dead-letters a record the consumer could not deserialize, by the rule of a record whose handler fails:
   * in one transaction (which also stores its next offset in offsets-in-PostgreSQL mode), its dedup key, when
   * the key strategy derives one without the value, is stored with status {@code D} and the record goes to
   * the recoverer; a redelivery of the very record is skipped. Without a key, only the recoverer is called.
   *
   * @param record the record with its headers and {@code null} value (the key, if it could be read)
   * @param reason kind {@code UNDESERIALIZABLE}, the deserialization failure as its cause
   * @return the counts and the offset past the record, to commit to Kafka
   * @throws DedupException of kind {@code RECOVERER_FAILED}, {@code DATABASE} or {@code FENCED}: nothing
   *     was committed, the record must be polled again
   */
  public BatchResult deadLetterUnreadable(ConsumerRecord<K, V> record, DedupException reason) {
    List<ConsumerRecord<K, V>> one = List.of(record);
    Plan<K, V> plan = Plan.of(one, keyStrategy, config);
    String key = plan.items().get(0).key(); // null when rejected: no claim
    Tally tally;
    try {
      tally = tx.run("dead-lettering " + RecordLog.where(record), one,
          (c, unapplied) -> unapplied.isEmpty() ? applyUnapplied(c, plan, unapplied) // a lost commit applied it
              : applier.deadLetter(c, record, key, reason));
    } catch (Transactions.NonTransientFailure e) {
      throw e.getCause() instanceof DedupException d ? d : DedupException.recovererFailed(record, key,
          e.getCause());
    }
    tally.report(metrics, scope);
    return new BatchResult(1, 0, tally.redeliveries, tally.resends, tally.deadLettered, false, nextOffsets(one));
  }

  /** Poison-record isolation ({@link PoisonIsolation}): each record alone; one that fails is dead-lettered. */
  private Tally processOneByOne(Plan<K, V> plan) {
    Tally total = new Tally();
    PoisonIsolation.<Plan.Item<K, V>>handledInPlace(alone -> {
      total.add(applyAlone(alone.getFirst()));
      return false;
    }, Transactions.NonTransientFailure.class::isInstance, (item, failure) -> {
      total.add(deadLetterAlone(item, ((Transactions.NonTransientFailure) failure).getCause()));
      return false;
    }).oneByOne(plan.items());
    return total;
  }

  private Tally applyAlone(Plan.Item<K, V> item) {
    Plan<K, V> single = Plan.single(item);
    return tx.run("record " + RecordLog.where(item.record()), List.of(item.record()),
        (c, unapplied) -> applyUnapplied(c, single, unapplied));
  }

  /** Dead-letters a record whose handler failed alone; its own transaction, retried like any other. */
  private Tally deadLetterAlone(Plan.Item<K, V> item, Exception failure) {
    Plan<K, V> single = Plan.single(item);
    DedupException reason = DedupException.handlerFailed(item.record(), item.key(), failure);
    try {
      return tx.run("dead-lettering " + RecordLog.where(item.record()), List.of(item.record()),
          (c, unapplied) -> unapplied.isEmpty() ? applyUnapplied(c, single, unapplied)
              : applier.deadLetter(c, item.record(), item.key(), reason));
    } catch (Transactions.NonTransientFailure recovererFailure) {
      throw DedupException.recovererFailed(item.record(), item.key(), recovererFailure.getCause());
    }
  }

  /**
   * Applies the part of {@code plan} still {@code unapplied}: after a commit whose outcome was unknown, the
   * stored offsets show which records that commit applied; they count as redeliveries.
   */
  private Tally applyUnapplied(Connection c, Plan<K, V> plan, List<ConsumerRecord<K, V>> unapplied)
      throws Exception {
    if (unapplied.size() == plan.items().size()) {
      return applier.apply(c, plan);
    }
    Plan<K, V> rest = plan.only(unapplied);
    Tally tally = rest.items().isEmpty() ? new Tally() : applier.apply(c, rest);
    int skipped = plan.items().size() - rest.items().size();
    tally.redeliveries += skipped;
    log.info("[{}] {} of {} records were applied by an earlier transaction whose commit outcome was unknown "
        + "(the stored offsets are past them): skipped as redeliveries", scope, skipped, plan.items().size());
    return tally;
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
    EngineRules.logBatch(log, scope, r);
  }
}
