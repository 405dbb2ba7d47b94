package io.github.kafkadedup.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.spring.actuate.DedupEndpoint;
import io.github.kafkadedup.spring.actuate.DedupHealthIndicator;
import io.github.kafkadedup.spring.actuate.DedupStoreCheck;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The Actuator beans and the {@code dedup.health.*} properties: present with Actuator, absent (and nothing
 * fails) without it, each invalid property refused with its name. No infrastructure is contacted.
 */
class DedupActuatorAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DedupActuatorAutoConfiguration.class))
      .withBean(DataSource.class, () -> new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/none"));

  @Test
  void withActuatorTheIndicatorAndTheEndpointExist() {
    runner.withPropertyValues("management.endpoints.web.exposure.include=kafkadedup").run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(DedupStoreCheck.class).hasSingleBean(DedupEndpoint.class);
      assertThat(context).hasBean("kafkaDedupHealthIndicator");
      assertThat(context.getBean(DedupHealthIndicator.class).health().getStatus().getCode())
          .as("an unreachable database").isEqualTo("DOWN");
    });
  }

  @Test
  void withoutActuatorNothingIsCreatedAndNothingFails() {
    runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health",
        "org.springframework.boot.actuate")).run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean(DedupStoreCheck.class);
          assertThat(context).doesNotHaveBean("kafkaDedupHealthIndicator");
        });
  }

  @Test
  void theIndicatorCanBeTurnedOff() {
    runner.withPropertyValues("management.health.kafkadedup.enabled=false").run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean("kafkaDedupHealthIndicator"));
  }

  @Test
  void everyHealthPropertyBinds() {
    runner.withPropertyValues("dedup.health.outbox-max-age=2m", "dedup.health.dead-letters-max=10",
        "dedup.health.retention-max-lag=3h", "dedup.health.timeout=2s", "dedup.health.breach-status=DOWN")
        .run(context -> {
          DedupHealthProperties p = context.getBean(DedupHealthProperties.class);
          assertThat(p.getOutboxMaxAge()).hasMinutes(2);
          assertThat(p.getDeadLettersMax()).isEqualTo(10);
          assertThat(p.getRetentionMaxLag()).hasHours(3);
          assertThat(p.getTimeout()).hasSeconds(2);
          assertThat(p.getBreachStatus()).isEqualTo("DOWN");
        });
  }

  @Test
  void invalidHealthPropertiesAreRefusedWithTheirName() {
    refused("dedup.health.outbox-max-age=0s", "dedup.health.outbox-max-age must be more than zero, but was PT0S");
    refused("dedup.health.dead-letters-max=-1", "dedup.health.dead-letters-max must be >= 0, but was -1");
    refused("dedup.health.retention-max-lag=-1h",
        "dedup.health.retention-max-lag must be more than zero, but was PT-1H");
    refused("dedup.health.timeout=2m", "dedup.health.timeout must be between 100ms and 60s, but was PT2M");
    refused("dedup.health.breach-status=warn", "dedup.health.breach-status must be a status code in upper case");
  }

  private void refused(String property, String message) {
    runner.withPropertyValues(property).run(context -> assertThat(context).hasFailed()
        .getFailure().rootCause().hasMessageContaining(message));
  }
}
