package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Sequencing;
import io.github.kafkadedup.consumer.internal.DatabaseOutage;
import io.github.kafkadedup.consumer.internal.DeadLetterStore;
import io.github.kafkadedup.consumer.internal.SequenceGate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.FailedRecordProcessor;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Makes Spring Kafka listeners exactly-once: {@link #decorate(MessageListenerContainer)} wraps a container's
 * listener so that, for every poll (or, with {@link TransactionPer#RECORD}, every record of a record listener), a
 * database transaction of {@code transactionManager} is started, the dedup keys are claimed in {@code claims} on
 * that transaction's connection in one round trip, and the listener is called for the fresh records only,
 * inside the same transaction. A {@code JdbcTemplate}, jOOQ
 * (Spring transaction provider) or {@code @Transactional} listener method joins it, so its writes and the claims
 * commit or roll back together; offsets are committed by the container after the commit.
 *
 * <pre>{@code
 * DedupListeners dedup = DedupListeners.builder(dataSource, transactionManager)
 *     .keyStrategy(KeyStrategy.header())
 *     .build();
 * dedup.apply(kafkaListenerContainerFactory);   // every container it creates is decorated
 * DedupListeners.retryOnlyTransient(defaultErrorHandler);
 * }</pre>
 *
 * <p>Spring Boot applications need none of this: the auto-configuration does it (see {@code dedup.*}).
 */
public final class DedupListeners implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DedupListeners.class);
  private static final BackOff NO_RETRIES = new FixedBackOff(0, 0);
  private static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

  private final DataSource dataSource;
  private final PlatformTransactionManager transactionManager;
  private final DedupConfig config;
  private final KeyStrategy<Object, Object> keyStrategy;
  private final TransactionPer transactionPer;
  private final ClaimStep claims;
  private final TransactionTemplate transactions;
  private final DeadLetterClaims deadLetterClaims;
  private final Duration databaseOutageBound;
  private final @Nullable Sequencing<Object, Object> sequencing;
  private final Duration heartbeatInterval;
  /** The store of the {@link DeadLetterTableRecoverer} made for this decoration (sequencing parks through it). */
  private volatile @Nullable DeadLetterStore<Object, Object> deadLetterStore;
  private final List<ContainerDatabaseWatch> watches = new CopyOnWriteArrayList<>();
  private volatile boolean transactionManagerVerified;

  private DedupListeners(Builder b) {
    this.dataSource = b.dataSource;
    this.transactionManager = b.transactionManager;
    this.config = b.config;
    this.keyStrategy = b.keyStrategy;
    this.transactionPer = b.transactionPer;
    this.claims = new ClaimStep(dataSource, config, keyStrategy);
    this.transactions = new TransactionTemplate(transactionManager);
    this.transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
    this.deadLetterClaims = new DeadLetterClaims(claims, transactions);
    this.databaseOutageBound = b.databaseOutageBound;
    this.sequencing = b.sequencing;
    this.heartbeatInterval = b.heartbeatInterval;
  }

  /**
   * How many records of a record listener share one database transaction.
   */
  public enum TransactionPer {
    /**
     * One transaction per poll (the default): the container delivers each poll to kafka-dedup, which claims
     * its keys in one round trip and calls the record method for each fresh record inside one transaction,
     * committed once. A failing record is isolated: the records before it commit, it alone goes to the error
     * handler. Needs a container that can deliver batches (not {@code AckMode.RECORD}, no
     * {@code RecordInterceptor}, no Kafka transaction manager).
     */
    POLL,
    /** One transaction per record: claim, the method's writes and commit for every record. */
    RECORD
  }

  /** @return how many records of a record listener share a transaction; default {@link TransactionPer#POLL} */
  public TransactionPer transactionPer() {
    return transactionPer;
  }

  /**
   * A builder; defaults: {@link DedupConfig#defaults()} and {@link KeyStrategy#header()}.
   *
   * @param dataSource where the claim tables are (migrated by {@code DedupMigrations})
   * @param transactionManager the listener's transaction manager; it must bind connections of
   *     {@code dataSource} (a {@code DataSourceTransactionManager}, {@code JdbcTransactionManager} or a JPA
   *     transaction manager with that DataSource), which {@link #decorate} verifies once
   * @return the builder
   */
  public static Builder builder(DataSource dataSource, PlatformTransactionManager transactionManager) {
    return new Builder(dataSource, transactionManager);
  }

  /** @return the engine settings (scope, schema, mode, key limits, metrics) */
  public DedupConfig config() {
    return config;
  }

  /** @return how keys are derived */
  public KeyStrategy<Object, Object> keyStrategy() {
    return keyStrategy;
  }

  /**
   * The health signal: whether a container this decorated has been without a working database for longer than
   * {@link Builder#databaseOutageBound} and was stopped, giving its partitions back to the group (it is started
   * again when the database answers). The gauge {@code kafka.dedup.database.unavailable} says the same per scope.
   *
   * @return true while such a container waits for its database
   */
  public boolean isDatabaseUnavailable() {
    for (ContainerDatabaseWatch watch : watches) {
      if (watch.isUnavailable()) {
        return true;
      }
    }
    return false;
  }

  /** @return how long a container may be without a working database before it gives its partitions back */
  public Duration databaseOutageBound() {
    return databaseOutageBound;
  }

  /** Stops the database watches: a container stopped for lack of database is not started again. */
  @Override
  public void close() {
    watches.forEach(ContainerDatabaseWatch::close);
  }

  /** @return the sequencing of the containers, or {@code null} if off (the default) */
  public @Nullable Sequencing<Object, Object> sequencing() {
    return sequencing;
  }

  /** @return how often each consumer thread writes its heartbeat; {@link Duration#ZERO} if off */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** Notes the store of a {@link DeadLetterTableRecoverer} made for this decoration. */
  void deadLetterTable(DeadLetterStore<Object, Object> store) {
    this.deadLetterStore = store;
  }

  ClaimStep claims() {
    return claims;
  }

  TransactionTemplate transactions() {
    return transactions;
  }

  /**
   * Wraps {@code container}'s listener (a record or batch listener); a container already decorated is left
   * alone. Call it before the container starts.
   *
   * <p>A {@code FailedRecordProcessor} error handler of the container (e.g. {@code DefaultErrorHandler}) gets
   * a retry listener that stores the keys its recoverer takes as dead-lettered, and its log level is set to
   * {@code DEBUG}: kafka-dedup logs one WARN per failure (what failed, how it was classified, and for a
   * dead-lettered record the record and the reason), which Spring Kafka's ERROR with a stack trace ("Error
   * handler threw an exception") would only repeat; the stack trace is in the dead letter.
   *
   * @param container a container that has its listener
   * @throws DedupException of kind {@code CONFIGURATION} if the container would break exactly-once: consumer
   *     auto-commit on, no group id and no scope, a container transaction manager or the listener's one not
   *     bound to the dedup DataSource, an asynchronous listener method (it would write after the transaction
   *     ended), an unsupported listener type, or (one transaction per poll) a record listener container that
   *     cannot deliver polls ({@code AckMode.RECORD}, a {@code RecordInterceptor}, a Kafka transaction
   *     manager); the message names the fix
   */
  public void decorate(MessageListenerContainer container) {
    Object listener = container.getContainerProperties().getMessageListener();
    if (listener instanceof DedupListenerAdapter<?>) {
      return;
    }
    String id = String.valueOf(container.getListenerId());
    ContainerChecks.checkAutoCommit(id, container.getContainerProperties().getKafkaConsumerProperties());
    ContainerChecks.checkContainerTransactionManager(id, container.getContainerProperties(), dataSource);
    verifyTransactionManager();
    String scope = config.scope() != null ? config.scope() : container.getGroupId();
    if (scope == null || scope.isBlank()) {
      throw DedupException.configuration("listener container '" + id + "' has no consumer group id, and "
          + "kafka-dedup uses it as the dedup scope: set a group id (spring.kafka.consumer.group-id or "
          + "@KafkaListener(groupId = ...)) or a fixed scope (dedup.scope / DedupConfig.scope)");
    }
    ContainerDatabaseWatch watch = new ContainerDatabaseWatch(
        DatabaseOutage.of(scope, databaseOutageBound, config.metrics()), container, dataSource, scope);
    watches.add(watch);
    DedupListenerAdapter<?> wrapped = wrap(container, id, listener, scope, watch);
    if (!heartbeatInterval.isZero()) {
      wrapped.heartbeats = ContainerHeartbeats.of(container, dataSource, config.schema(), scope, heartbeatInterval);
    }
    if (sequencing != null) {
      wrapped.gate = SequenceGate.of(sequencing, scope, config, ContainerChecks.checkSequencing(id, deadLetterStore));
    }
    container.setupMessageListener(wrapped);
    if (container instanceof AbstractMessageListenerContainer<?, ?> c
        && c.getCommonErrorHandler() instanceof FailedRecordProcessor handler) {
      DeadLetterClaims.attach(handler, deadLetterClaims);
      handler.setLogLevel(KafkaException.Level.DEBUG);
    }
    log.info("[{}] listener container '{}' is exactly-once: keys by {}, mode {}, table {}, {}{}", scope, id,
        keyStrategy, config.mode(), config.schema().claims(), wrapped.shape(),
        sequencing == null ? "" : ", sequencing on (dead letters park their sequence)");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private DedupListenerAdapter<?> wrap(MessageListenerContainer container, String id, Object listener, String scope,
      ContainerDatabaseWatch watch) {
    ContainerChecks.checkNotAsync(id, listener);
    if (listener instanceof BatchMessageListener batch) {
      return new BatchListenerAdapter<>(batch, claims, transactions, scope, watch);
    }
    if (listener instanceof MessageListener record) {
      if (transactionPer == TransactionPer.RECORD) {
        return new RecordListenerAdapter<>(record, claims, transactions, scope, watch);
      }
      ContainerChecks.checkPollDelivery(container, id);
      boolean partialAcks = container.getContainerProperties().getAckMode() == ContainerProperties.AckMode.MANUAL_IMMEDIATE;
      return new PollListenerAdapter<>(record, claims, transactions, scope, partialAcks, watch);
    }
    throw DedupException.configuration("listener container '" + id + "' has a listener of type "
        + (listener == null ? "null" : listener.getClass().getName()) + "; kafka-dedup supports record "
        + "(MessageListener) and batch (BatchMessageListener) listeners");
  }

  /**
   * Checks {@code factory}'s consumer settings, then makes it decorate every container it creates (through
   * its container customizer, which this replaces).
   *
   * @param factory the container factory, e.g. {@code ConcurrentKafkaListenerContainerFactory}
   * @throws DedupException of kind {@code CONFIGURATION} if its consumers auto-commit
   */
  public void apply(AbstractKafkaListenerContainerFactory<?, ?, ?> factory) {
    checkConsumerFactory(factory.getConsumerFactory());
    factory.setContainerCustomizer(this::decorate);
  }

  /**
   * Rejects consumer settings that break exactly-once: {@code enable.auto.commit=true} commits offsets on a
   * timer, before the database transaction of the records has committed.
   *
   * @param consumerFactory the factory whose configuration to check
   * @throws DedupException of kind {@code CONFIGURATION} naming the property and the fix
   */
  public static void checkConsumerFactory(ConsumerFactory<?, ?> consumerFactory) {
    ContainerChecks.checkAutoCommit("consumer factory", consumerFactory.getConfigurationProperties());
  }

  /**
   * Classifies failures as the engine does: transient database failures (SQLSTATE classes 08, 40001, 40P01,
   * 55P03, 57P01-03, 53300, 57014, and Spring's {@code TransientDataAccessException} /
   * {@code RecoverableDataAccessException}, also as the application exception of a
   * {@code TransactionSystemException}) are retried with {@code errorHandler}'s BackOff, and once it gives up,
   * at its last interval (at least 1 s) until they are cured: they never reach the recoverer, a valid record is
   * not dead-lettered because its database was away. Anything else goes to the recoverer (e.g. a
   * {@code DeadLetterPublishingRecoverer}) without retries, because retrying the same transaction cannot cure
   * it. Replaces the handler's BackOff function.
   *
   * @param errorHandler e.g. a {@code DefaultErrorHandler}
   */
  public static void retryOnlyTransient(FailedRecordProcessor errorHandler) {
    TransientBackOff transientBackOff = TransientBackOff.of(errorHandler);
    errorHandler.setBackOffFunction((record, failure) -> isTransient(failure) ? transientBackOff : NO_RETRIES);
  }

  /**
   * Whether {@code failure} (or a cause of it, or the application exception of a
   * {@code TransactionSystemException} among them) is a transient database failure that a new transaction can
   * cure.
   *
   * @param failure the failure
   * @return true if a retry may succeed
   */
  public static boolean isTransient(Throwable failure) {
    return FailureClass.isTransient(failure);
  }

  private void verifyTransactionManager() {
    if (!transactionManagerVerified) {
      ContainerChecks.checkBinds("the dedup transaction manager", transactionManager, dataSource);
      transactionManagerVerified = true;
    }
  }

  @Override
  public String toString() {
    return "DedupListeners{keyStrategy=" + keyStrategy + ", config=" + config + "}";
  }

  /** Builds {@link DedupListeners}; each setter checks its argument. */
  public static final class Builder {
    private final DataSource dataSource;
    private final PlatformTransactionManager transactionManager;
    private DedupConfig config = DedupConfig.defaults();
    private KeyStrategy<Object, Object> keyStrategy = KeyStrategy.header();
    private TransactionPer transactionPer = TransactionPer.POLL;
    private Duration databaseOutageBound = DatabaseOutage.DEFAULT_BOUND;
    private @Nullable Sequencing<Object, Object> sequencing;
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;

    private Builder(DataSource dataSource, PlatformTransactionManager transactionManager) {
      DataSource ds = Objects.requireNonNull(dataSource, "dataSource");
      this.dataSource = ds instanceof TransactionAwareDataSourceProxy proxy && proxy.getTargetDataSource() != null
          ? proxy.getTargetDataSource() : ds;
      this.transactionManager = Objects.requireNonNull(transactionManager, "transactionManager");
    }

    /**
     * The engine settings: scope (default: each container's group id), schema, mode, key limits, metrics.
     *
     * @param value the settings
     * @return this
     */
    public Builder config(DedupConfig value) {
      this.config = Objects.requireNonNull(value, "config");
      return this;
    }

    /**
     * How each record's dedup key is derived; default {@link KeyStrategy#header()}.
     *
     * @param value the strategy, for the containers' key and value types
     * @return this
     */
    @SuppressWarnings("unchecked")
    public Builder keyStrategy(KeyStrategy<?, ?> value) {
      this.keyStrategy = (KeyStrategy<Object, Object>) Objects.requireNonNull(value, "keyStrategy");
      return this;
    }

    /**
     * How many records of a record listener share one database transaction; default
     * {@link TransactionPer#POLL}. Batch listeners always take one per poll.
     *
     * @param value {@code POLL} or {@code RECORD}
     * @return this
     */
    public Builder transactionPer(TransactionPer value) {
      this.transactionPer = Objects.requireNonNull(value, "transactionPer");
      return this;
    }

    /**
     * How long a container may be without a working database (its transactions failing transiently, or its pool
     * unable to connect) before it is stopped, giving its partitions back to the group so that another instance
     * can take them: one ERROR, the gauge {@code kafka.dedup.database.unavailable} at 1,
     * {@link DedupListeners#isDatabaseUnavailable()} true; the database is probed every 5 s and the container
     * started again when it answers. Default {@link DatabaseOutage#DEFAULT_BOUND} (60 s).
     *
     * @param value a positive duration
     * @return this
     * @throws IllegalArgumentException naming the property if not positive
     */
    public Builder databaseOutageBound(Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("databaseOutageBound must be > 0, but was " + value);
      }
      this.databaseOutageBound = value;
      return this;
    }

    /**
     * Dead letters in order ({@link Sequencing}, as the engine's {@code DedupProcessor.Builder.sequencing}): when
     * a record is dead-lettered, the later records of its sequence (per source partition) are stored in state
     * {@code parked} behind it instead of reaching the listener, while other sequences flow; replaying the head
     * ({@code DeadLetters}) applies the sequence in order, each record once, then releases it. Needs a
     * {@link DeadLetterTableRecoverer} made for this decoration in the containers' error handler;
     * {@link #decorate} fails without one. Default: off.
     *
     * @param value e.g. {@link Sequencing#byRecordKey()}, for the containers' key and value types
     * @return this
     */
    @SuppressWarnings("unchecked")
    public Builder sequencing(Sequencing<?, ?> value) {
      this.sequencing = (Sequencing<Object, Object>) Objects.requireNonNull(value, "sequencing");
      return this;
    }

    /**
     * How often each consumer thread of a decorated container writes its row in {@code dedup_heartbeats} (last
     * poll, last committed poll; what {@code kafka-dedup status} shows), as the engine's
     * {@code DedupConsumer.Builder.heartbeatInterval}: at most one write per interval, on the consumer thread.
     * Idle containers write it from their idle events: a container without an {@code idleEventInterval} gets
     * this interval as one. Default 5 s; {@link Duration#ZERO} for none.
     *
     * @param value between zero (off) and 1 hour
     * @return this
     * @throws IllegalArgumentException naming the property if out of range
     */
    public Builder heartbeatInterval(Duration value) {
      if (value.isNegative() || value.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("heartbeatInterval must be between 0 (off) and 1 hour, but was " + value);
      }
      this.heartbeatInterval = value;
      return this;
    }

    /** @return the decoration, immutable */
    public DedupListeners build() {
      return new DedupListeners(this);
    }
  }
}
