package io.github.kafkadedup.spring.autoconfigure;

import io.github.kafkadedup.spring.DedupListeners;
import io.github.kafkadedup.spring.actuate.DedupEndpoint;
import io.github.kafkadedup.spring.actuate.DedupHealthIndicator;
import io.github.kafkadedup.spring.actuate.DedupStoreCheck;
import io.github.kafkadedup.spring.actuate.DedupStoreMeters;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator support, only when Spring Boot Actuator is on the class path: the {@code kafkaDedup} health indicator
 * ({@code management.health.kafkadedup.enabled=false} turns it off) and the read-only {@code kafkadedup}
 * endpoint, both with the {@code dedup.health.*} thresholds, on the application's DataSource and the tables of
 * {@code dedup.table.*}.
 */
@AutoConfiguration(after = {DedupAutoConfiguration.class, DedupOutboxAutoConfiguration.class}, afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"})
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnProperty(prefix = "dedup", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties({DedupProperties.class, DedupHealthProperties.class})
public class DedupActuatorAutoConfiguration {

  /** Created by Spring Boot. */
  public DedupActuatorAutoConfiguration() {}

  /**
   * The checks both the indicator and the endpoint run.
   *
   * @param dataSource the application's DataSource
   * @param properties the {@code dedup.*} properties (tables, retention window)
   * @param health the thresholds
   * @return the check
   */
  @Bean
  @ConditionalOnBean(DataSource.class)
  @ConditionalOnMissingBean
  public DedupStoreCheck dedupStoreCheck(DataSource dataSource, DedupProperties properties,
      DedupHealthProperties health) {
    return new DedupStoreCheck(dataSource, properties.getTable().toSchema(), new DedupStoreCheck.Thresholds(
        health.getOutboxMaxAge(), health.getDeadLettersMax(), properties.getRetention().getWindow(),
        health.getRetentionMaxLag(), health.getTimeout()));
  }

  /**
   * The {@code kafkaDedup} health indicator.
   *
   * @param check the checks
   * @param health the breach status
   * @param listeners the listeners' decorator, if any (DOWN while their database is unavailable past the bound)
   * @return the indicator
   */
  @Bean
  @ConditionalOnBean(DedupStoreCheck.class)
  @ConditionalOnMissingBean(name = "kafkaDedupHealthIndicator")
  @ConditionalOnEnabledHealthIndicator("kafkadedup")
  public DedupHealthIndicator kafkaDedupHealthIndicator(DedupStoreCheck check, DedupHealthProperties health,
      ObjectProvider<DedupListeners> listeners) {
    return new DedupHealthIndicator(check, health.getBreachStatus(), () -> {
      DedupListeners l = listeners.getIfUnique();
      return l != null && l.isDatabaseUnavailable();
    });
  }

  /** The store's gauges, when micrometer-core is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
  static class StoreMetersConfiguration {

    @Bean
    @ConditionalOnBean(DataSource.class) // as the check's bean: a nested class is processed before the outer's beans
    @ConditionalOnMissingBean
    DedupStoreMeters dedupStoreMeters(DedupStoreCheck check) {
      return new DedupStoreMeters(check, java.time.Duration.ofSeconds(10));
    }
  }

  /** The endpoint, when spring-boot-actuator's endpoint support is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint")
  static class EndpointConfiguration {

    @Bean
    @ConditionalOnBean(DataSource.class) // as the check's bean: a nested class is processed before the outer's beans
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    DedupEndpoint kafkaDedupEndpoint(DedupStoreCheck check) {
      return new DedupEndpoint(check);
    }
  }
}
