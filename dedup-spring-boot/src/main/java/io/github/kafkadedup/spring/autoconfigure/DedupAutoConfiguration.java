package io.github.kafkadedup.spring.autoconfigure;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.retention.RetentionJob;
import io.github.kafkadedup.consumer.internal.EngineRules;
import io.github.kafkadedup.consumer.Sequencing;
import io.github.kafkadedup.spring.DedupListeners;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.transaction.KafkaAwareTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.util.ClassUtils;

/**
 * Makes every {@code @KafkaListener} of a Spring Boot application exactly-once (unless
 * {@code dedup.enabled=false}): a {@link DedupListeners} built from the {@code dedup.*} properties, the
 * application's {@code DataSource} and its transaction manager decorates every listener container before it
 * starts; the library's migrations run first when {@code dedup.migrations.enabled=true}; meters go to the
 * application's {@code MeterRegistry} when there is one. A {@code KeyStrategy} bean replaces
 * {@code dedup.key-strategy}; a {@code DedupListeners} bean replaces the whole decoration.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration"})
@ConditionalOnClass(KafkaListenerEndpointRegistry.class)
@ConditionalOnProperty(prefix = "dedup", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(DedupProperties.class)
public class DedupAutoConfiguration {

  /** Created by Spring Boot. */
  public DedupAutoConfiguration() {}

  /**
   * The decoration of the listener containers.
   *
   * @param properties the {@code dedup.*} properties
   * @param dataSources the application's DataSource (exactly one)
   * @param beans to find the transaction manager
   * @param keyStrategy a user's key strategy, replacing {@code dedup.key-strategy}
   * @param metrics where counts go (Micrometer when a registry exists)
   * @param migrator runs the migrations first, when enabled
   * @return the decoration
   * @throws DedupException of kind {@code CONFIGURATION} if the DataSource or transaction manager is ambiguous
   */
  // DedupMigrator is package-private: only Spring calls this method, to order the migrator first
  @SuppressWarnings("exports")
  @Bean
  @ConditionalOnMissingBean
  public DedupListeners dedupListeners(DedupProperties properties, ObjectProvider<DataSource> dataSources,
      ListableBeanFactory beans, ObjectProvider<KeyStrategy<?, ?>> keyStrategy,
      ObjectProvider<DedupMetrics> metrics, ObjectProvider<DedupMigrator> migrator) {
    migrator.ifAvailable(m -> { });
    DataSource dataSource = dataSource(dataSources);
    DedupListeners.Builder builder = DedupListeners.builder(dataSource, transactionManager(properties, beans,
        dataSource));
    if (properties.getListener().getSequencing() == DedupListenerProperties.SequencingMode.RECORD_KEY) {
      builder.sequencing(Sequencing.byRecordKey());
    }
    return builder
        .config(properties.toConfig().toBuilder().metrics(metrics.getIfAvailable(DedupMetrics::none)).build())
        .keyStrategy(keyStrategy.getIfAvailable(properties::toKeyStrategy))
        .transactionPer(properties.getListener().getTransactionPer())
        .databaseOutageBound(properties.getListener().getDatabaseOutageBound())
        .heartbeatInterval(properties.getListener().getHeartbeatInterval())
        .build();
  }

  /**
   * Decorates the containers before they start.
   *
   * @param listeners the decoration
   * @param beans where the containers, factories and error handlers are
   * @param properties the {@code dedup.*} properties
   * @return a lifecycle bean that runs before the containers start
   */
  @Bean
  static SmartLifecycle dedupListenerInstaller(DedupListeners listeners,
      ListableBeanFactory beans, DedupProperties properties) {
    return new DedupListenerInstaller(listeners, beans, properties.isRetryOnlyTransient());
  }

  /**
   * An explicit transaction isolation for the application's HikariCP pool when it has none
   * ({@code spring.datasource.hikari.transaction-isolation}); see {@link DedupHikariIsolation}.
   *
   * @return the post-processor
   */
  @Bean
  @ConditionalOnClass(name = "com.zaxxer.hikari.HikariDataSource")
  static BeanPostProcessor dedupHikariIsolation() {
    return new DedupHikariIsolation();
  }

  /**
   * Runs the library's migrations at start-up.
   *
   * @param properties where the tables go
   * @param dataSources the application's DataSource
   * @return the migrator
   */
  @Bean
  @ConditionalOnProperty(prefix = "dedup.migrations", name = "enabled", havingValue = "true")
  static DedupMigrator dedupMigrator(DedupProperties properties, ObjectProvider<DataSource> dataSources) {
    return new DedupMigrator(dataSource(dataSources), properties.getTable().toSchema());
  }

  private static DataSource dataSource(ObjectProvider<DataSource> dataSources) {
    DataSource dataSource = dataSources.getIfUnique();
    if (dataSource == null) {
      throw DedupException.configuration("kafka-dedup needs the application's DataSource (the database of "
          + "the claim tables and of the listeners' writes), but found "
          + (dataSources.stream().findAny().isPresent() ? "several and none is @Primary" : "none")
          + ": configure spring.datasource.* or mark one DataSource @Primary");
    }
    return dataSource;
  }

  private static PlatformTransactionManager transactionManager(DedupProperties properties,
      ListableBeanFactory beans, DataSource dataSource) {
    String name = properties.getTransactionManager();
    if (name != null) {
      if (!beans.containsBean(name)) {
        throw DedupException.configuration("dedup.transaction-manager names bean '" + name
            + "', but there is no such bean");
      }
      return beans.getBean(name, PlatformTransactionManager.class);
    }
    Map<String, PlatformTransactionManager> candidates = new LinkedHashMap<>();
    beans.getBeansOfType(PlatformTransactionManager.class).forEach((beanName, tm) -> {
      if (!(tm instanceof KafkaAwareTransactionManager<?, ?>)) {
        candidates.put(beanName, tm);
      }
    });
    if (candidates.isEmpty()) {
      return new JdbcTransactionManager(dataSource);
    }
    if (candidates.size() > 1) {
      throw DedupException.configuration("found several transaction managers " + candidates.keySet()
          + ": set dedup.transaction-manager to the one bound to the DataSource of the listeners' writes");
    }
    return candidates.values().iterator().next();
  }

  /** Deletes expired keys on {@code dedup.retention.schedule} when {@code dedup.retention.enabled=true}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = "dedup.retention", name = "enabled", havingValue = "true")
  static class DedupRetentionConfiguration {

    /**
     * The job, for {@code dedup.retention.*}; a {@code RetentionJob} bean of the application (e.g. one given
     * the topics for the replay-horizon guard) replaces it and is scheduled instead.
     */
    @Bean
    @ConditionalOnMissingBean
    RetentionJob dedupRetentionJob(DedupProperties properties, ObjectProvider<DataSource> dataSources,
        ListableBeanFactory beans) {
      RetentionJob.Builder job = RetentionJob.builder(dataSource(dataSources),
          properties.getRetention().toConfig(properties.getTable().toSchema(), properties.getScope()));
      if (ClassUtils.isPresent("io.micrometer.core.instrument.MeterRegistry", getClass().getClassLoader())) {
        RetentionMeters.bind(job, beans);
      }
      return job.build();
    }

    @Bean
    SmartLifecycle dedupRetentionScheduler(RetentionJob job, DedupProperties properties) {
      return new DedupRetentionScheduler(job, properties.getRetention().getSchedule());
    }
  }

  /** Loaded only when micrometer-core is present. */
  private static final class RetentionMeters {
    static void bind(RetentionJob.Builder job, ListableBeanFactory beans) {
      beans.getBeanProvider(MeterRegistry.class).ifUnique(job::meterRegistry);
    }
  }

  /** Micrometer meters, when micrometer-core is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
  static class DedupMetricsConfiguration {

    @Bean
    @ConditionalOnMissingBean
    DedupMetrics dedupMetrics(ObjectProvider<MeterRegistry> registry) {
      MeterRegistry r = registry.getIfUnique();
      return r == null ? DedupMetrics.none() : DedupMetrics.micrometer(r);
    }
  }

  /**
   * Defaults {@code auto.offset.reset} to {@code earliest} on Boot's consumer factory when the application set
   * none ({@code spring.kafka.consumer.auto-offset-reset} or {@code spring.kafka.consumer.properties}):
   * Kafka's default, {@code latest}, makes a new group skip every record published before it first joined.
   * An explicit value is kept, and logged at WARN unless it is {@code earliest}. Consumer factories the
   * application defines itself are left alone.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer")
  static class OffsetResetDefault {
    private static final Logger log = LoggerFactory.getLogger(DedupAutoConfiguration.class);

    @Bean
    DefaultKafkaConsumerFactoryCustomizer dedupAutoOffsetResetDefault() {
      return factory -> {
        Map<String, Object> configs = factory.getConfigurationProperties();
        if (!configs.containsKey(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG)) {
          factory.updateConfigs(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
          return;
        }
        String warning = EngineRules.offsetResetWarning(configs);
        if (warning != null) {
          log.warn("kafka-dedup: Spring Boot's consumer factory has {}", warning);
        }
      };
    }
  }
}
