package io.github.kafkadedup.consumer;

import io.github.kafkadedup.consumer.internal.TransactionHook;
import io.github.kafkadedup.consumer.internal.TransactionalBatchProcessor;
import io.github.kafkadedup.outbox.Outbox;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * Processes one poll batch exactly once: claims the records' keys in one round trip, calls the handler
 * for the fresh records only, in order, on the same transaction, commits, and returns the offsets to
 * commit to Kafka. Use it in your own poll loop, or let {@link DedupConsumer} run the loop.
 *
 * <p>Failures: a transient database error (connection loss, serialization failure, deadlock) retries
 * the transaction with backoff; any other failure rolls back the whole batch (no key recorded) and
 * processes it again one record at a time, so the poison record goes to the {@link Recoverer} and every
 * other record is applied exactly once. If the database stays down or the recoverer fails,
 * {@link #process} throws {@link DedupException} and the batch's offsets must not be committed (poll it
 * again).
 *
 * <p>Sealed: its builder makes the one implementation (in the {@code internal} package); users call it,
 * they do not implement it.
 *
 * @param <K> record key type
 * @param <V> record value type
 */
public sealed interface DedupProcessor<K, V> permits TransactionalBatchProcessor {

  /**
   * Processes {@code records} (one poll batch, in poll order).
   *
   * @param records the batch; may be empty
   * @return counts and the offsets to commit
   * @throws DedupException (kind {@code DATABASE}, {@code RECOVERER_FAILED} or {@code FENCED}) if the
   *     batch could not be completed; nothing of the failed transaction was committed
   */
  BatchResult process(List<ConsumerRecord<K, V>> records);

  /** @return the scope this processor claims keys in */
  String scope();

  /**
   * Tells the processor that this consumer no longer owns {@code partitions}, or owns them anew: with
   * {@link Builder#sequencing sequencing}, it reloads their parked sequences when it next sees them. Call it from
   * your rebalance listener's {@code onPartitionsRevoked}, {@code onPartitionsLost} and
   * {@code onPartitionsAssigned} ({@link DedupConsumer} does). Without sequencing it does nothing.
   *
   * @param partitions the partitions
   */
  default void partitionsRevoked(java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {}

  /**
   * A builder that takes connections from {@code dataSource} (a pool such as HikariCP).
   *
   * @param dataSource the database with the migrated tables
   * @param <K> record key type
   * @param <V> record value type
   * @return the builder
   */
  static <K, V> Builder<K, V> builder(DataSource dataSource) {
    return new Builder<>(dataSource);
  }

  /**
   * Builds a {@link DedupProcessor}. Required: a key strategy, exactly one handler, a recoverer, and a
   * scope (in the config, or the group id that {@link DedupConsumer} supplies).
   *
   * @param <K> record key type
   * @param <V> record value type
   */
  final class Builder<K, V> {
    private final DataSource dataSource;
    private DedupConfig config = DedupConfig.defaults();
    private @Nullable KeyStrategy<K, V> keyStrategy;
    private @Nullable RecordHandler<K, V> recordHandler;
    private @Nullable BatchHandler<K, V> batchHandler;
    private @Nullable Recoverer<K, V> recoverer;
    private @Nullable String defaultScope;
    private @Nullable TransactionHook hook;
    private @Nullable Outbox<?, ?> outbox;
    private @Nullable Sequencing<K, V> sequencing;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * @param value the settings; default {@link DedupConfig#defaults()}
     * @return this
     */
    public Builder<K, V> config(DedupConfig value) {
      this.config = Objects.requireNonNull(value, "config");
      return this;
    }

    /**
     * How each record's dedup key is found, e.g. {@link KeyStrategy#header()}.
     *
     * @param value the strategy
     * @return this
     */
    public Builder<K, V> keyStrategy(KeyStrategy<K, V> value) {
      this.keyStrategy = Objects.requireNonNull(value, "keyStrategy");
      return this;
    }

    /**
     * Applies fresh records one at a time (exclusive with {@link #batchHandler}).
     *
     * @param value the handler
     * @return this
     */
    public Builder<K, V> recordHandler(RecordHandler<K, V> value) {
      this.recordHandler = Objects.requireNonNull(value, "recordHandler");
      return this;
    }

    /**
     * Applies the fresh records of a batch at once (exclusive with {@link #recordHandler}).
     *
     * @param value the handler
     * @return this
     */
    public Builder<K, V> batchHandler(BatchHandler<K, V> value) {
      this.batchHandler = Objects.requireNonNull(value, "batchHandler");
      return this;
    }

    /**
     * Takes records that cannot be processed, e.g. {@link Recoverer#deadLetterTable} (recommended: stored with
     * the key's {@code D} claim, published by the outbox relay) or {@link Recoverer#deadLetterTopic}.
     *
     * @param value the recoverer
     * @return this
     */
    public Builder<K, V> recoverer(Recoverer<K, V> value) {
      this.recoverer = Objects.requireNonNull(value, "recoverer");
      return this;
    }

    /**
     * The outbox that {@link DedupContext#send} writes to (its serializers and schema); without one,
     * {@code send} throws.
     *
     * @param value the outbox, built with {@link Outbox#builder} (the only implementation: {@code Outbox}
     *     is sealed)
     * @return this
     */
    public Builder<K, V> outbox(Outbox<?, ?> value) {
      this.outbox = Objects.requireNonNull(value, "outbox");
      return this;
    }

    /**
     * Keeps each sequence's records in order around dead letters: a dead-lettered record parks its sequence,
     * and the sequence's later records wait behind it until an operator replays or discards it (see
     * {@link Sequencing}). Needs {@link Recoverer#deadLetterTable}. Default: off (a dead letter holds back
     * nothing).
     *
     * @param value the sequence key of each record, e.g. {@link Sequencing#byRecordKey()}
     * @return this
     */
    public Builder<K, V> sequencing(Sequencing<K, V> value) {
      this.sequencing = Objects.requireNonNull(value, "sequencing");
      return this;
    }

    Builder<K, V> defaultScope(String groupId) {
      this.defaultScope = groupId;
      return this;
    }

    Builder<K, V> hook(TransactionHook value) {
      this.hook = value;
      return this;
    }

    /**
     * @return the processor
     * @throws IllegalStateException naming what is missing
     */
    public DedupProcessor<K, V> build() {
      return buildEngine();
    }

    /** {@link #build()}, typed for {@link DedupConsumer}'s loop, which also dead-letters unreadable records. */
    TransactionalBatchProcessor<K, V> buildEngine() {
      if (keyStrategy == null) {
        throw new IllegalStateException("keyStrategy must be set, e.g. KeyStrategy.header()");
      }
      if ((recordHandler == null) == (batchHandler == null)) {
        throw new IllegalStateException("exactly one of recordHandler and batchHandler must be set");
      }
      if (recoverer == null) {
        throw new IllegalStateException("recoverer must be set, e.g. Recoverer.deadLetterTable(keySerializer, "
            + "valueSerializer) (exactly once, through the outbox relay), Recoverer.deadLetterTopic(producer, "
            + "keySerializer, valueSerializer) or Recoverer.logAndMarkDead()");
      }
      if (!keyStrategy.claimsKeys() && hook == null) {
        throw new IllegalStateException("KeyStrategy.none() claims no keys, so nothing would stop a "
            + "redelivery: use it only with DedupConsumer.Builder.offsetsInDatabase(true)");
      }
      if (sequencing != null && !(recoverer instanceof io.github.kafkadedup.consumer.internal.DeadLetterTable)) {
        throw new IllegalStateException("sequencing needs recoverer Recoverer.deadLetterTable(keySerializer, "
            + "valueSerializer) (parked records are stored in the dead-letter table), but was a "
            + recoverer.getClass().getName());
      }
      String scope = config.scope() != null ? config.scope() : defaultScope;
      if (scope == null) {
        throw new IllegalStateException("scope must be set in DedupConfig (DedupConsumer defaults it to "
            + "the consumer group id)");
      }
      return new TransactionalBatchProcessor<>(dataSource, config, scope, keyStrategy, recordHandler,
          batchHandler, recoverer, hook != null ? hook : (connection, records) -> {},
          outbox, sequencing);
    }
  }
}
