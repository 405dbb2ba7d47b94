package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.internal.TransientErrors;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.BatchMessageListener;
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
 * listener so that, for every record (or poll batch), a database transaction of {@code transactionManager} is
 * started, the dedup keys are claimed in {@code claims} on that transaction's connection, and the
 * listener is called for the fresh records only, inside the same transaction. A {@code JdbcTemplate}, jOOQ
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
public final class DedupListeners {
  private static final Logger log = LoggerFactory.getLogger(DedupListeners.class);
  private static final BackOff NO_RETRIES = new FixedBackOff(0, 0);

  private final DataSource dataSource;
  private final PlatformTransactionManager transactionManager;
  private final DedupConfig config;
  private final KeyStrategy<Object, Object> keyStrategy;
  private final ClaimStep claims;
  private final TransactionTemplate transactions;
  private volatile boolean transactionManagerVerified;

  private DedupListeners(Builder b) {
    this.dataSource = b.dataSource;
    this.transactionManager = b.transactionManager;
    this.config = b.config;
    this.keyStrategy = b.keyStrategy;
    this.claims = new ClaimStep(dataSource, config, keyStrategy);
    this.transactions = new TransactionTemplate(transactionManager);
    this.transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
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
   * Wraps {@code container}'s listener (a record or batch listener); a container already decorated is left
   * alone. Call it before the container starts.
   *
   * @param container a container that has its listener
   * @throws DedupException of kind {@code CONFIGURATION} if the container would break exactly-once: consumer
   *     auto-commit on, no group id and no scope, a container transaction manager or the listener's one not
   *     bound to the dedup DataSource, an asynchronous listener method (it would write after the transaction
   *     ended), or an unsupported listener type; the message names the fix
   */
  public void decorate(MessageListenerContainer container) {
    Object listener = container.getContainerProperties().getMessageListener();
    if (listener instanceof RecordListenerAdapter<?, ?> || listener instanceof BatchListenerAdapter<?, ?>) {
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
    container.setupMessageListener(wrap(id, listener, scope));
    log.info("[{}] listener container '{}' is exactly-once: keys by {}, mode {}, table {}", scope, id,
        keyStrategy, config.mode(), config.schema().claims());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Object wrap(String id, Object listener, String scope) {
    ContainerChecks.checkNotAsync(id, listener);
    if (listener instanceof BatchMessageListener batch) {
      return new BatchListenerAdapter<>(batch, claims, transactions, scope);
    }
    if (listener instanceof MessageListener record) {
      return new RecordListenerAdapter<>(record, claims, transactions, scope);
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
   * {@code RecoverableDataAccessException}) are retried with {@code errorHandler}'s BackOff; anything else goes
   * to its recoverer (e.g. a {@code DeadLetterPublishingRecoverer}) without retries, because retrying the same
   * transaction cannot cure it. Replaces the handler's BackOff function.
   *
   * @param errorHandler e.g. a {@code DefaultErrorHandler}
   */
  public static void retryOnlyTransient(FailedRecordProcessor errorHandler) {
    errorHandler.setBackOffFunction((record, failure) -> isTransient(failure) ? null : NO_RETRIES);
  }

  /**
   * Whether {@code failure} (or a cause of it) is a transient database failure that a new transaction can
   * cure.
   *
   * @param failure the failure
   * @return true if a retry may succeed
   */
  public static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TransientDataAccessException || t instanceof RecoverableDataAccessException) {
        return true;
      }
    }
    return TransientErrors.isTransient(failure);
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

    /** @return the decoration, immutable */
    public DedupListeners build() {
      return new DedupListeners(this);
    }
  }
}
