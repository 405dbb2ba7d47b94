package io.github.kafkadedup.consumer;

import io.github.kafkadedup.consumer.internal.DatabaseOutage;
import io.github.kafkadedup.consumer.internal.EngineLoggers;
import io.github.kafkadedup.consumer.internal.ConsumerSettings;
import io.github.kafkadedup.consumer.internal.Heartbeat;
import io.github.kafkadedup.consumer.internal.OffsetFence;
import io.github.kafkadedup.consumer.internal.OffsetsInDatabase;
import io.github.kafkadedup.consumer.internal.PollLoop;
import io.github.kafkadedup.consumer.internal.TransactionalBatchProcessor;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A complete kafka-clients consumer loop with exactly-once effects on PostgreSQL: subscribe, poll,
 * {@link DedupProcessor process} each batch in one database transaction, then commit the batch's
 * offsets to Kafka. Runs on the thread that calls {@link #run()}; {@link #close()} from any thread stops
 * it. Not thread-safe otherwise (like {@link KafkaConsumer}).
 *
 * <p>At construction the consumer properties are checked: {@code group.id} must be set;
 * {@code enable.auto.commit=true} and {@code isolation.level=read_uncommitted} are rejected (absent,
 * they are set to {@code false} and {@code read_committed}). {@code auto.offset.reset} defaults to
 * {@code earliest} (Kafka's own default, {@code latest}, would make a new group skip every record published
 * before it first joined); an explicit {@code latest} or {@code none} is honoured and logged at WARN once
 * when the consumer is built, naming what it skips.
 *
 * <p>Rebalances: a batch is processed and its offsets committed before the next {@code poll}, and
 * Kafka calls {@link ConsumerRebalanceListener} only inside {@code poll}, so no batch is in flight when
 * partitions are revoked. If the group moved on during a long batch, the offset commit fails (logged);
 * the new owner then finds the keys claimed and skips the records as redeliveries.
 *
 * <p>A record the key or value deserializer cannot read ({@code poll} throws
 * {@code RecordDeserializationException}) follows the rule of a record whose handler fails: in one
 * transaction its dedup key, when the key strategy finds one without the value (a header,
 * topic-partition-offset, or the record key when only the value failed), is stored as dead-lettered
 * ({@code D}, so a later record with that key follows {@link DedupConfig.Builder#deadLetteredReplay}) and it
 * goes to the recoverer with a {@code null} value (kind {@link DedupException.Kind#UNDESERIALIZABLE};
 * {@link Recoverer#deadLetterTopic} publishes its original bytes). The consumer then moves past it and
 * commits the offset after it; while the recoverer fails, it stays on that record.
 *
 * <p>With {@link Builder#offsetsInDatabase(boolean)}, each transaction also stores the next offset of its
 * partitions in {@code consumer_offsets}, guarded by an owner generation taken on assignment: a consumer
 * resumes from the stored offsets (no redelivery even after a crash between the database commit and the
 * Kafka commit), and a zombie whose partitions were reassigned cannot commit
 * ({@link DedupException.Kind#FENCED}).
 *
 * @param <K> record key type
 * @param <V> record value type
 */
public final class DedupConsumer<K, V> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EngineLoggers.CONSUMER);
  private static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
  private final PollLoop<K, V> loop;

  private DedupConsumer(PollLoop<K, V> loop) {
    this.loop = loop;
  }

  /**
   * A builder for a consumer created from {@code consumerProperties}.
   *
   * @param consumerProperties kafka-clients consumer properties; {@code group.id} required
   * @param keyDeserializer record key deserializer
   * @param valueDeserializer record value deserializer
   * @param dataSource the database with the migrated tables
   * @param <K> record key type
   * @param <V> record value type
   * @return the builder
   */
  public static <K, V> Builder<K, V> builder(Map<String, ?> consumerProperties, Deserializer<K> keyDeserializer,
      Deserializer<V> valueDeserializer, DataSource dataSource) {
    return new Builder<>(consumerProperties, keyDeserializer, valueDeserializer, dataSource);
  }

  /**
   * Polls and processes until {@link #close()} is called, then closes the Kafka consumer. A batch that
   * fails (database down, recoverer failing) is not committed: the consumer seeks back and polls it again
   * after a backoff.
   */
  public void run() {
    loop.run();
  }

  /**
   * The health signal: whether this consumer has been without a working database for longer than its
   * {@linkplain Builder#databaseOutageBound bound} and has given its partitions back to the group (it rejoins
   * when the database answers). The gauge {@code kafka.dedup.database.unavailable} says the same.
   *
   * @return true while the consumer waits for its database outside the group
   */
  public boolean isDatabaseUnavailable() {
    return loop.isDatabaseUnavailable();
  }

  /** @return the dedup scope (the configured one, or the group id) */
  public String scope() {
    return loop.scope();
  }

  /**
   * Stops {@link #run()} after the batch in progress (its transaction and offset commit complete) and
   * waits up to 30 s for the loop to exit. Safe from any thread; idempotent.
   */
  @Override
  public void close() {
    loop.close(Duration.ofSeconds(30));
  }

  /**
   * Builds a {@link DedupConsumer}; the same requirements as {@link DedupProcessor.Builder} plus topics.
   *
   * @param <K> record key type
   * @param <V> record value type
   */
  public static final class Builder<K, V> {
    private final Map<String, Object> properties;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final DedupProcessor.Builder<K, V> processor;
    private final DataSource dataSource;
    private final String groupId;
    private DedupConfig config = DedupConfig.defaults();
    private boolean offsetsInDatabase;
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
    private @Nullable List<String> topics;
    private Duration pollTimeout = Duration.ofMillis(500);
    private Duration databaseOutageBound = DatabaseOutage.DEFAULT_BOUND;
    private @Nullable ConsumerRebalanceListener listener;
    private Function<Map<String, Object>, Consumer<K, V>> factory;

    private Builder(Map<String, ?> props, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer,
        DataSource dataSource) {
      this.properties = ConsumerSettings.checked(props);
      this.keyDeserializer = Objects.requireNonNull(keyDeserializer, "keyDeserializer");
      this.valueDeserializer = Objects.requireNonNull(valueDeserializer, "valueDeserializer");
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.groupId = ConsumerSettings.groupId(properties);
      this.processor = DedupProcessor.<K, V>builder(dataSource).defaultScope(groupId);
      this.factory = p -> new KafkaConsumer<>(p, this.keyDeserializer, this.valueDeserializer);
    }

    /**
     * @param value topics to subscribe to, at least one
     * @return this
     */
    public Builder<K, V> topics(Collection<String> value) {
      if (value.isEmpty()) {
        throw new IllegalArgumentException("topics must not be empty");
      }
      this.topics = List.copyOf(value);
      return this;
    }

    /**
     * @param value topics to subscribe to, at least one
     * @return this
     */
    public Builder<K, V> topics(String... value) {
      return topics(List.of(value));
    }

    /**
     * @param value engine settings
     * @return this
     * @see DedupProcessor.Builder#config(DedupConfig)
     */
    public Builder<K, V> config(DedupConfig value) {
      processor.config(value);
      this.config = value;
      return this;
    }

    /**
     * @param value how keys are found
     * @return this
     * @see DedupProcessor.Builder#keyStrategy(KeyStrategy)
     */
    public Builder<K, V> keyStrategy(KeyStrategy<K, V> value) {
      processor.keyStrategy(value);
      return this;
    }

    /**
     * @param value per-record handler
     * @return this
     * @see DedupProcessor.Builder#recordHandler(RecordHandler)
     */
    public Builder<K, V> recordHandler(RecordHandler<K, V> value) {
      processor.recordHandler(value);
      return this;
    }

    /**
     * @param value batch handler
     * @return this
     * @see DedupProcessor.Builder#batchHandler(BatchHandler)
     */
    public Builder<K, V> batchHandler(BatchHandler<K, V> value) {
      processor.batchHandler(value);
      return this;
    }

    /**
     * @param value takes records that cannot be processed
     * @return this
     * @see DedupProcessor.Builder#recoverer(Recoverer)
     */
    public Builder<K, V> recoverer(Recoverer<K, V> value) {
      processor.recoverer(value);
      return this;
    }

    /**
     * @param value the outbox that {@link DedupContext#send} writes to
     * @return this
     * @see DedupProcessor.Builder#outbox(io.github.kafkadedup.outbox.Outbox)
     */
    public Builder<K, V> outbox(io.github.kafkadedup.outbox.Outbox<?, ?> value) {
      processor.outbox(value);
      return this;
    }

    /**
     * @param value the sequence key of each record, e.g. {@link Sequencing#byRecordKey()}
     * @return this
     * @see DedupProcessor.Builder#sequencing(Sequencing)
     */
    public Builder<K, V> sequencing(Sequencing<K, V> value) {
      processor.sequencing(value);
      return this;
    }

    /**
     * @param value the longest a {@code poll} blocks; default 500 ms; 1 ms to 1 minute
     * @return this
     */
    public Builder<K, V> pollTimeout(Duration value) {
      if (value.toMillis() < 1 || value.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("pollTimeout must be between 1 ms and 1 minute, but was " + value);
      }
      this.pollTimeout = value;
      return this;
    }

    /**
     * Your own rebalance listener; called after the library's bookkeeping.
     *
     * @param value the listener
     * @return this
     */
    public Builder<K, V> rebalanceListener(ConsumerRebalanceListener value) {
      this.listener = Objects.requireNonNull(value, "rebalanceListener");
      return this;
    }

    /**
     * Stores offsets in PostgreSQL too (default: off, offsets live in Kafka only). Each transaction then
     * also moves the next offset of its partitions forward in {@code consumer_offsets} (one row per
     * partition per transaction), fenced by an owner generation that this consumer takes when a
     * partition is assigned; on assignment it seeks to the stored offset (Kafka's committed offset or
     * {@code auto.offset.reset} apply where none is stored). Offsets are still committed to Kafka after
     * each database commit, for lag monitoring. A batch of a partition that another consumer took over
     * meanwhile rolls back ({@link DedupException.Kind#FENCED}) and is dropped; the new owner processes it.
     *
     * @param value true to store offsets in the database
     * @return this
     */
    public Builder<K, V> offsetsInDatabase(boolean value) {
      this.offsetsInDatabase = value;
      return this;
    }

    /**
     * How often, at most, the consumer upserts its row in {@code dedup_heartbeats} (migration V7): when its
     * loop last polled and last completed a batch, its Kafka member id and host, read by {@code kafka-dedup
     * status} to tell a stuck consumer from a slow one. One small statement per interval on the consumer's
     * thread, never per record; a failed write is logged and never stops the consumer. Default 5 s;
     * {@link Duration#ZERO} turns it off; at most 1 hour.
     *
     * @param value the interval
     * @return this
     * @throws IllegalArgumentException if negative or above 1 hour
     */
    public Builder<K, V> heartbeatInterval(Duration value) {
      if (value.isNegative() || value.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("heartbeatInterval must be between 0 (off) and 1 hour, but was " + value);
      }
      this.heartbeatInterval = value;
      return this;
    }

    /**
     * How long the consumer may be without a working database (every batch failing with a database error after
     * its retries, or its partitions' ownership not taken) before it gives its partitions back to the group, so
     * that another member can take them: it logs one ERROR, sets the gauge
     * {@code kafka.dedup.database.unavailable} to 1 ({@link DedupConsumer#isDatabaseUnavailable()}), unsubscribes,
     * probes the database every 5 s and subscribes again when it answers. Default
     * {@link DatabaseOutage#DEFAULT_BOUND} (60 s).
     *
     * @param value a positive duration
     * @return this
     */
    public Builder<K, V> databaseOutageBound(Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("databaseOutageBound must be > 0, but was " + value);
      }
      this.databaseOutageBound = value;
      return this;
    }

    Builder<K, V> consumerFactory(Function<Map<String, Object>, Consumer<K, V>> value) {
      this.factory = value;
      return this;
    }

    /**
     * @return the consumer; the Kafka consumer is created here and subscribed in {@link #run()}
     * @throws IllegalStateException naming what is missing
     */
    public DedupConsumer<K, V> build() {
      if (topics == null) {
        throw new IllegalStateException("topics must be set");
      }
      OffsetsInDatabase databaseOffsets = null;
      if (offsetsInDatabase) {
        String configured = config.scope();
        String scope = configured != null ? configured : groupId;
        OffsetFence fence = new OffsetFence(dataSource, config.schema(), scope);
        processor.hook(fence); // the ownership check is the last statement before the commit
        databaseOffsets = new OffsetsInDatabase(fence, scope, config.metrics());
      }
      TransactionalBatchProcessor<K, V> built = processor.buildEngine();
      String resetWarning = ConsumerSettings.offsetResetWarning(properties);
      if (resetWarning != null) {
        log.warn("[{}] {}", built.scope(), resetWarning);
      }
      Heartbeat heartbeat = heartbeatInterval.isZero() ? Heartbeat.OFF
          : new Heartbeat(dataSource, config.schema(), built.scope(), groupId, heartbeatInterval);
      PollLoop<K, V> loop = new PollLoop<>(factory.apply(properties), topics, built, pollTimeout,
          listener, ConsumerSettings.maxPollInterval(properties), databaseOffsets, keyDeserializer, heartbeat);
      loop.watchDatabase(DatabaseOutage.of(built.scope(), databaseOutageBound, config.metrics()), dataSource);
      return new DedupConsumer<>(loop);
    }
  }
}
