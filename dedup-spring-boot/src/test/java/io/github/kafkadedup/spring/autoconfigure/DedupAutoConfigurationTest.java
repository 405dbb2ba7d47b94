package io.github.kafkadedup.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.retention.RetentionConfig;
import io.github.kafkadedup.retention.RetentionJob;
import io.github.kafkadedup.spring.DedupListeners;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Binding and validation of the {@code dedup.*} properties; no infrastructure is contacted. */
class DedupAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DedupAutoConfiguration.class))
      .withBean(DataSource.class, () -> new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/none"));

  @Test
  void defaultsNeedNoProperty() {
    runner.run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(DedupListeners.class);
      DedupListeners listeners = context.getBean(DedupListeners.class);
      assertThat(listeners.config().scope()).isNull();
      assertThat(listeners.config().mode()).isEqualTo(DedupConfig.Mode.ENFORCE);
      assertThat(listeners.config().schema().claims()).isEqualTo("public.claims");
      assertThat(listeners.keyStrategy()).hasToString("header(idempotency-key)");
      assertThat(listeners.transactionPer()).isEqualTo(DedupListeners.TransactionPer.POLL);
      assertThat(listeners.config().deadLetteredReplay()).isEqualTo(DedupConfig.DeadLetteredReplay.RECOVER);
      assertThat(context.getBean(DedupProperties.class).getMigrations().isEnabled()).isFalse();
      assertThat(context).doesNotHaveBean(DedupMigrator.class);
    });
  }

  @Test
  void everyPropertyBinds() {
    runner.withPropertyValues("dedup.scope=billing", "dedup.key-strategy=record-key-unique-per-message",
        "dedup.mode=observe", "dedup.table.schema=billing", "dedup.table.prefix=kd_", "dedup.max-key-bytes=100",
        "dedup.oversized-keys=hash", "dedup.retry-only-transient=false", "dedup.retention.enabled=true",
        "dedup.retention.window=14d", "dedup.retention.batch-size=500", "dedup.retention.schedule=0 0 * * * *",
        "dedup.listener.transaction-per=record", "dedup.dead-lettered-replay=reprocess")
        .run(context -> {
          assertThat(context).hasNotFailed();
          DedupConfig config = context.getBean(DedupListeners.class).config();
          assertThat(config.scope()).isEqualTo("billing");
          assertThat(config.mode()).isEqualTo(DedupConfig.Mode.OBSERVE);
          assertThat(config.schema().claims()).isEqualTo("billing.kd_claims");
          assertThat(config.maxKeyBytes()).isEqualTo(100);
          assertThat(config.oversizedKeys()).isEqualTo(DedupConfig.OversizedKeys.HASH);
          assertThat(config.deadLetteredReplay()).isEqualTo(DedupConfig.DeadLetteredReplay.REPROCESS);
          assertThat(context.getBean(DedupListeners.class).transactionPer())
              .isEqualTo(DedupListeners.TransactionPer.RECORD);
          assertThat(context.getBean(DedupListeners.class).keyStrategy()).hasToString("recordKeyUniquePerMessage");
          DedupProperties p = context.getBean(DedupProperties.class);
          assertThat(p.isRetryOnlyTransient()).isFalse();
          assertThat(p.getRetention().getWindow()).isEqualTo(Duration.ofDays(14));
          assertThat(p.getRetention().getBatchSize()).isEqualTo(500);
          assertThat(p.getRetention().getSchedule()).isEqualTo("0 0 * * * *");
        });
  }

  @Test
  void sequencingAndHeartbeatIntervalBind() {
    runner.withPropertyValues("dedup.listener.sequencing=record-key", "dedup.listener.heartbeat-interval=2s")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(DedupListeners.class).sequencing()).isNotNull();
          assertThat(context.getBean(DedupListeners.class).heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
        });
    runner.run(context -> {
      assertThat(context.getBean(DedupListeners.class).sequencing()).as("default none").isNull();
      assertThat(context.getBean(DedupListeners.class).heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
    });
    runner.withPropertyValues("dedup.listener.heartbeat-interval=2h").run(context -> assertThat(failure(context))
        .contains("dedup.listener.heartbeat-interval must be between 0 and 1 hour"));
  }

  @Test
  void headerNameAndTopicPartitionOffsetStrategiesBind() {
    runner.withPropertyValues("dedup.header-name=x-message-id").run(context ->
        assertThat(context.getBean(DedupListeners.class).keyStrategy()).hasToString("header(x-message-id)"));
    runner.withPropertyValues("dedup.key-strategy=topic-partition-offset").run(context ->
        assertThat(context.getBean(DedupListeners.class).keyStrategy()).hasToString("topicPartitionOffset"));
  }

  @Test
  void aKeyStrategyBeanReplacesTheProperty() {
    KeyStrategy<String, String> byValue = KeyStrategy.value(v -> v);
    runner.withBean("byValue", KeyStrategy.class, () -> byValue).run(context ->
        assertThat(context.getBean(DedupListeners.class).keyStrategy()).isSameAs(byValue));
  }

  @Test
  void metersGoToTheApplicationsRegistry() {
    runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
      context.getBean(DedupMetrics.class).processed("s", 2);
      assertThat(context.getBean(MeterRegistry.class).get("kafka.dedup.records.processed").tag("scope", "s")
          .counter().count()).isEqualTo(2);
      assertThat(context.getBean(DedupListeners.class).config().metrics()).isSameAs(context.getBean(DedupMetrics.class));
    });
  }

  @Test
  void disabledTurnsEverythingOff() {
    runner.withPropertyValues("dedup.enabled=false", "dedup.max-key-bytes=0").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).doesNotHaveBean(DedupListeners.class).doesNotHaveBean(DedupProperties.class)
          .doesNotHaveBean(DedupListenerInstaller.class);
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "dedup.scope=                          | dedup.scope must be 1 to 255 UTF-8 bytes and not blank, but was ''",
      "dedup.key-strategy=entity-id          | dedup.key-strategy",
      "dedup.header-name=                    | dedup.header-name must not be blank, but was ''",
      "dedup.mode=loud                       | dedup.mode",
      "dedup.max-key-bytes=0                 | dedup.max-key-bytes must be between 1 and 512, but was 0",
      "dedup.max-key-bytes=513               | dedup.max-key-bytes must be between 1 and 512, but was 513",
      "dedup.oversized-keys=truncate         | dedup.oversized-keys",
      "dedup.listener.transaction-per=batch  | dedup.listener.transaction-per",
      "dedup.dead-lettered-replay=drop       | dedup.dead-lettered-replay",
      "dedup.table.schema=Billing            | dedup.table.schema: schema must be a lower-case SQL identifier",
      "dedup.table.schema=pg_dedup           | dedup.table.schema: schema must not start with pg_",
      "dedup.table.prefix=1x                 | dedup.table.prefix: tablePrefix must be empty or a lower-case SQL identifier",
      "dedup.transaction-manager=missingTm   | dedup.transaction-manager names bean 'missingTm', but there is no such bean",
      "dedup.retention.window=0s             | dedup.retention.window must be more than zero, but was PT0S",
      "dedup.retention.batch-size=0          | dedup.retention.batch-size must be between 1 and 1000000, but was 0",
      "dedup.retention.generation-length=59s | dedup.retention.generation-length must be at least PT1M, but was PT59S",
      "dedup.retention.schedule=every minute | dedup.retention.schedule must be a Spring cron expression",
      "dedup.retention.enabled=true          | dedup.retention.window must be set when dedup.retention.enabled=true"})
  void aWrongValueFailsTheStartWithThePropertyNamed(String property, String message) {
    runner.withPropertyValues(property).run(context -> {
      assertThat(context).hasFailed();
      assertThat(failure(context)).contains(message);
      if (property.startsWith("dedup.key-strategy") || property.startsWith("dedup.mode")
          || property.startsWith("dedup.oversized-keys") || property.startsWith("dedup.listener")
          || property.startsWith("dedup.dead-lettered")) {
        assertThat(failure(context)).contains(property.substring(property.indexOf('=') + 1));
      }
    });
  }

  @Test
  void retentionBindsToTheEnginesJob() {
    runner.withPropertyValues("dedup.retention.enabled=true", "dedup.retention.window=10d",
        "dedup.retention.batch-size=250", "dedup.table.schema=billing", "dedup.scope=payments").run(context -> {
          RetentionConfig config = context.getBean(RetentionJob.class).config();
          assertThat(config.window()).isEqualTo(Duration.ofDays(10));
          assertThat(config.batchSize()).isEqualTo(250);
          assertThat(config.scope()).isEqualTo("payments");
          assertThat(config.schema().schema()).isEqualTo("billing");
        });
    runner.run(context -> assertThat(context).doesNotHaveBean(RetentionJob.class));
  }

  /** Issue 13: the claim generation length, by default half the window, never longer than the window. */
  @Test
  void retentionGenerationLengthBindsToTheEnginesJob() {
    runner.withPropertyValues("dedup.retention.enabled=true", "dedup.retention.window=14d").run(context ->
        assertThat(context.getBean(RetentionJob.class).config().generationLength()).isEqualTo(Duration.ofDays(7)));
    runner.withPropertyValues("dedup.retention.enabled=true", "dedup.retention.window=14d",
        "dedup.retention.generation-length=2d").run(context ->
        assertThat(context.getBean(RetentionJob.class).config().generationLength()).isEqualTo(Duration.ofDays(2)));
    runner.withPropertyValues("dedup.retention.enabled=true", "dedup.retention.window=14d",
        "dedup.retention.generation-length=15d").run(context -> assertThat(failure(context))
        .contains("dedup.retention.generation-length PT360H is longer than dedup.retention.window PT336H"));
  }

  @Test
  void aShortRetentionWindowNeedsToBeForced() {
    runner.withPropertyValues("dedup.retention.enabled=true", "dedup.retention.window=1h").run(context ->
        assertThat(failure(context)).contains("dedup.retention.window: ")
            .contains("or set dedup.retention.force-short-window=true"));
    runner.withPropertyValues("dedup.retention.enabled=true", "dedup.retention.window=1h",
        "dedup.retention.force-short-window=true").run(context ->
        assertThat(context.getBean(RetentionJob.class).config().window()).isEqualTo(Duration.ofHours(1)));
  }

  @Test
  void severalTransactionManagersNeedOneNamed() {
    ApplicationContextRunner two = runner
        .withBean("tm1", DataSourceTransactionManager.class, () -> new DataSourceTransactionManager(dataSource()))
        .withBean("tm2", DataSourceTransactionManager.class, () -> new DataSourceTransactionManager(dataSource()));
    two.run(context -> assertThat(failure(context))
        .contains("found several transaction managers [tm1, tm2]: set dedup.transaction-manager"));
    two.withPropertyValues("dedup.transaction-manager=tm2").run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void configurationMetadataDescribesEveryProperty() throws Exception {
    String json;
    try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("metadata generated by spring-boot-configuration-processor").isNotNull();
      json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    for (String property : List.of("dedup.enabled", "dedup.scope", "dedup.key-strategy", "dedup.header-name",
        "dedup.mode", "dedup.max-key-bytes", "dedup.oversized-keys", "dedup.transaction-manager",
        "dedup.retry-only-transient", "dedup.table.schema", "dedup.table.prefix", "dedup.migrations.enabled",
        "dedup.retention.enabled", "dedup.retention.window", "dedup.retention.batch-size",
        "dedup.retention.schedule", "dedup.retention.force-short-window", "dedup.retention.generation-length",
        "dedup.listener.transaction-per", "dedup.dead-lettered-replay", "dedup.listener.sequencing",
        "dedup.listener.heartbeat-interval")) {
      assertThat(json).contains("\"name\": \"" + property + "\"");
    }
  }

  private static DataSource dataSource() {
    return new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/none");
  }

  /** Every message of the start-up failure's cause chain. */
  static String failure(AssertableApplicationContext context) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause() == t ? null : t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  /** Issue 16, defect 1: Boot's consumer factory gets auto.offset.reset=earliest unless the application set one. */
  @Test
  void bootsConsumerFactoryDefaultsToEarliestAndKeepsAnExplicitValue() {
    ApplicationContextRunner withKafka = runner.withConfiguration(AutoConfigurations.of(
        org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration.class));
    withKafka.run(context -> assertThat(context.getBean(org.springframework.kafka.core.ConsumerFactory.class)
        .getConfigurationProperties()).containsEntry("auto.offset.reset", "earliest"));
    withKafka.withPropertyValues("spring.kafka.consumer.auto-offset-reset=latest").run(context ->
        assertThat(context.getBean(org.springframework.kafka.core.ConsumerFactory.class)
            .getConfigurationProperties()).containsEntry("auto.offset.reset", "latest"));
    runner.withPropertyValues("dedup.enabled=false").withConfiguration(AutoConfigurations.of(
            org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration.class))
        .run(context -> assertThat(context.getBean(org.springframework.kafka.core.ConsumerFactory.class)
            .getConfigurationProperties()).doesNotContainKey("auto.offset.reset"));
  }
}
