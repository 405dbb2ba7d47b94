package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/** Start-up behaviour against the real broker and PostgreSQL: checks that fail fast, migrations, off switch. */
class StartupIT {
  /** A second database: a transaction manager bound to it is bound to the wrong DataSource. */
  static TestDatabase other;

  @BeforeAll
  static void otherDatabase() {
    other = TestPostgres.get().createDatabase("spring-other");
  }

  @AfterAll
  static void closeOther() {
    other.close();
  }

  @Test
  void autoCommitFailsTheStartNamingTheFix() {
    try (SpringFixture f = new SpringFixture("spring-autocommit")) {
      assertThatThrownBy(() -> f.start(RecordListenerIT.RecordApp.class,
          "spring.kafka.consumer.enable-auto-commit=true"))
          .rootCause().hasMessageContaining("enable.auto.commit=true")
          .hasMessageContaining("Fix: remove spring.kafka.consumer.enable-auto-commit");
    }
  }

  @Test
  void aTransactionManagerOfAnotherDataSourceFailsTheStartNamingTheFix() {
    try (SpringFixture f = new SpringFixture("spring-wrong-tm")) {
      assertThatThrownBy(() -> f.start(WrongTransactionManagerApp.class))
          .rootCause().hasMessageContaining("the dedup transaction manager (" + DataSourceTransactionManager.class
              .getName() + ") is not bound to the dedup DataSource")
          .hasMessageContaining("Fix: use a DataSourceTransactionManager or JdbcTransactionManager on that DataSource");
    }
  }

  @Test
  void aContainerTransactionManagerOfAnotherDataSourceFailsTheStartNamingTheFix() {
    try (SpringFixture f = new SpringFixture("spring-wrong-container-tm")) {
      assertThatThrownBy(() -> f.start(WrongContainerTransactionManagerApp.class))
          .rootCause().hasMessageContaining("the transaction manager of listener container '")
          .hasMessageContaining("is not bound to the dedup DataSource");
    }
  }

  @Test
  void migrationsRunBeforeTheListenersStart() {
    try (SpringFixture f = new SpringFixture("spring-migrations", false)) {
      f.send("k1", "a");
      f.send("k1", "a-again");
      f.start(RecordListenerIT.RecordApp.class, "dedup.migrations.enabled=true", "dedup.table.schema=billing",
          "dedup.table.prefix=kd_");
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 2);
      assertThat(f.count("SELECT count(*) FROM billing.kd_claims")).isEqualTo(1);
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(1);
    }
  }

  @Test
  void retentionDropsExpiredGenerationsOnItsSchedule() {
    try (SpringFixture f = new SpringFixture("spring-retention")) {
      // generation 1 (50 keys) ended 2 hours ago, generation 2 (one key) is current since then: a 1-hour window
      // drops generation 1 and switches to generation 3
      f.db.execute("UPDATE dedup_generations SET started_at = now() - interval '3 hours' WHERE generation = 1",
          "INSERT INTO dedup_scopes (scope) VALUES ('s')",
          "INSERT INTO claims (scope_id, generation, kafka_offset, key_id, kafka_partition) SELECT "
              + "(SELECT scope_id FROM dedup_scopes WHERE scope = 's'), 1, g, dedup_key_id('old-' || g), 0 "
              + "FROM generate_series(1, 50) g",
          "INSERT INTO dedup_generations VALUES (2, now() - interval '2 hours')",
          "INSERT INTO claims (scope_id, generation, kafka_offset, key_id, kafka_partition) SELECT "
              + "(SELECT scope_id FROM dedup_scopes WHERE scope = 's'), 2, 51, dedup_key_id('recent'), 0");
      f.start(RecordListenerIT.RecordApp.class, "dedup.retention.enabled=true", "dedup.retention.window=1h",
          "dedup.retention.force-short-window=true", "dedup.retention.schedule=* * * * * *");
      await().atMost(Duration.ofSeconds(30)).until(() -> f.count("SELECT count(*) FROM claims") == 1);
      assertThat(f.count("SELECT count(*) FROM claims WHERE key_id = dedup_key_id('recent')")).isEqualTo(1);
      await().atMost(Duration.ofSeconds(30)).until(() -> f.count("SELECT max(generation) FROM dedup_generations") == 3);
    }
  }

  @Test
  void disabledLetsEveryDuplicateThrough() {
    try (SpringFixture f = new SpringFixture("spring-disabled")) {
      f.send("k1", "a");
      f.send("k1", "a-again");
      f.send("k1", "a-third");
      ConfigurableApplicationContext app = f.start(RecordListenerIT.RecordApp.class, "dedup.enabled=false");
      await().atMost(Duration.ofSeconds(60)).until(() -> f.committed() == 3);
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(3);
      assertThat(f.count("SELECT count(*) FROM claims")).isZero();
      assertThat(app.getBeanNamesForType(DedupListeners.class)).isEmpty();
    }
  }

  private static DataSource otherDataSource() {
    return other.dataSource();
  }

  /** The record service with the only transaction manager bound to another database. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(RecordListenerIT.RecordApp.class)
  static class WrongTransactionManagerApp {
    @Bean
    DataSourceTransactionManager otherTm() {
      return new DataSourceTransactionManager(otherDataSource());
    }
  }

  /** The record service whose containers get a (deprecated) non-Kafka transaction manager of another database. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(RecordListenerIT.RecordApp.class)
  static class WrongContainerTransactionManagerApp {
    @Bean
    @SuppressWarnings("removal")
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> otherContainerTm() {
      return container -> container.getContainerProperties()
          .setTransactionManager(new DataSourceTransactionManager(otherDataSource()));
    }

    @Bean
    JdbcTemplate jdbcTemplate(DataSource dataSource) {
      return new JdbcTemplate(dataSource);
    }
  }
}
