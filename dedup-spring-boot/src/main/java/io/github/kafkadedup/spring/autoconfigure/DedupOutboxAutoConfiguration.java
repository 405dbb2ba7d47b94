package io.github.kafkadedup.spring.autoconfigure;

import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.outbox.OutboxMetrics;
import io.github.kafkadedup.outbox.OutboxRelay;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import io.github.kafkadedup.spring.DeadLetterTableRecoverer;
import io.github.kafkadedup.spring.TransactionalOutbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The outbox in Spring Boot: a {@link TransactionalOutbox} bean when the application defines an
 * {@link Outbox} bean (its serializers and schema), and with {@code dedup.outbox.relay.enabled=true} an
 * {@link OutboxRelay} that starts and stops with the context. Relay properties: {@code
 * dedup.outbox.relay.bootstrap-servers} (default {@code spring.kafka.bootstrap-servers}),
 * {@code dedup.outbox.relay.name} (default {@code outbox-relay}), {@code dedup.outbox.relay.max-lanes}
 * (default all 64).
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration"})
@ConditionalOnProperty(prefix = "dedup", name = "enabled", havingValue = "true", matchIfMissing = true)
public class DedupOutboxAutoConfiguration {

  /** Created by Spring Boot. */
  public DedupOutboxAutoConfiguration() {}

  /**
   * Sends through the outbox in the current Spring transaction. Declared raw, so that it injects as
   * {@code TransactionalOutbox<K, V>} with the {@link Outbox} bean's types.
   *
   * @param dataSource the application's DataSource
   * @param outbox the application's outbox
   * @return the bean
   */
  @Bean
  @ConditionalOnBean({Outbox.class, DataSource.class})
  @ConditionalOnMissingBean
  @SuppressWarnings({"rawtypes", "unchecked"})
  public TransactionalOutbox transactionalOutbox(DataSource dataSource, Outbox<?, ?> outbox) {
    return new TransactionalOutbox(dataSource, outbox);
  }

  /**
   * The relay, started with the context and closed with it.
   *
   * @param dataSource the application's DataSource (the relay keeps one of its connections)
   * @param outbox the application's outbox (for its schema), if any
   * @param properties the {@code dedup.*} properties: without an outbox bean, {@code dedup.table.*} name the
   *     schema (where {@code DeadLetterTableRecoverer} writes its dead letters' copies)
   * @param environment the properties
   * @param metrics the relay's meters
   * @param observations the application's observation registry (spans per published row), if any
   * @return the relay
   */
  @Bean(initMethod = "start", destroyMethod = "close")
  @ConditionalOnProperty(prefix = "dedup.outbox.relay", name = "enabled", havingValue = "true")
  @ConditionalOnBean(DataSource.class)
  @ConditionalOnMissingBean
  public OutboxRelay outboxRelay(DataSource dataSource, ObjectProvider<Outbox<?, ?>> outbox,
      ObjectProvider<DedupProperties> properties, Environment environment, ObjectProvider<OutboxMetrics> metrics,
      ObjectProvider<ObservationRegistry> observations) {
    String servers = environment.getProperty("dedup.outbox.relay.bootstrap-servers",
        environment.getProperty("spring.kafka.bootstrap-servers", "localhost:9092"));
    Outbox<?, ?> configured = outbox.getIfUnique();
    DedupProperties dedup = properties.getIfAvailable();
    OutboxRelay.Builder relay = OutboxRelay.builder(dataSource,
            IdempotentProducerConfig.builder().bootstrapServers(servers).build())
        .schema(configured != null ? configured.schema()
            : dedup != null ? dedup.getTable().toSchema() : DedupSchema.DEFAULT)
        .name(environment.getProperty("dedup.outbox.relay.name", "outbox-relay"))
        .maxLanes(environment.getProperty("dedup.outbox.relay.max-lanes", Integer.class, Outbox.LANES));
    metrics.ifUnique(relay::metrics);
    observations.ifUnique(relay::observationRegistry);
    return relay.build();
  }

  /**
   * Says at start-up, when the application dead-letters to the table ({@code DeadLetterTableRecoverer}) and runs
   * no relay, that nothing reaches the dead-letter topic until a relay runs (here with
   * {@code dedup.outbox.relay.enabled=true}, or in another process).
   *
   * @param relays the relay bean, if any
   * @return the check, run once every singleton exists (the error handlers with their recoverers too)
   */
  @Bean
  public SmartInitializingSingleton kafkaDedupDeadLetterRelayCheck(ObjectProvider<OutboxRelay> relays) {
    return () -> {
      if (DeadLetterTableRecoverer.created() && relays.getIfAvailable() == null) {
        LoggerFactory.getLogger(DedupOutboxAutoConfiguration.class).warn("DeadLetterTableRecoverer stores dead "
            + "letters in PostgreSQL, but no OutboxRelay runs in this application (dedup.outbox.relay.enabled is "
            + "not true): they reach no dead-letter topic until a relay publishes them. Set "
            + "dedup.outbox.relay.enabled=true, or run a relay elsewhere on this database");
      }
    };
  }

  /** The relay's Micrometer meters, when micrometer-core is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
  static class OutboxMetricsConfiguration {

    @Bean
    @ConditionalOnMissingBean
    OutboxMetrics outboxMetrics(ObjectProvider<MeterRegistry> registry) {
      MeterRegistry r = registry.getIfUnique();
      return r == null ? OutboxMetrics.none() : OutboxMetrics.micrometer(r);
    }
  }
}
