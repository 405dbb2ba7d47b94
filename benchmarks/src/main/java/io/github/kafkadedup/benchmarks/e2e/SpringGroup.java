package io.github.kafkadedup.benchmarks.e2e;

import io.github.kafkadedup.benchmarks.BusinessTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The consumers of a Spring mode: a Spring Boot application of its own (no web), started programmatically
 * with Boot's Kafka and JDBC auto-configuration and, for the kafka-dedup modes, the public starter
 * configuration of {@code dedup-spring-boot} only ({@code dedup.*} properties). Closing it closes the context.
 */
final class SpringGroup implements AutoCloseable {
  private final ConfigurableApplicationContext context;

  SpringGroup(Mode mode, E2eOptions options, String bootstrap, String groupId, String topic, String jdbcUrl,
      String user, String password, RunProbe probe) {
    List<String> properties = new ArrayList<>(List.of(
        "spring.main.banner-mode=off",
        "spring.datasource.url=" + jdbcUrl,
        "spring.datasource.username=" + user,
        "spring.datasource.password=" + password,
        "spring.datasource.hikari.maximum-pool-size=" + (options.consumers() + 2),
        "spring.kafka.bootstrap-servers=" + bootstrap,
        "spring.kafka.consumer.group-id=" + groupId,
        "spring.kafka.consumer.auto-offset-reset=earliest",
        "spring.kafka.consumer.enable-auto-commit=false",
        "spring.kafka.consumer.max-poll-records=" + options.maxPollRecords(),
        "spring.kafka.consumer.properties.isolation.level=read_committed",
        "spring.kafka.listener.concurrency=" + options.consumers(),
        "bench.topic=" + topic,
        "bench.rows-per-record=" + options.rowsPerRecord(),
        // the starter's defaults otherwise: header key strategy (idempotency-key), enforce mode
        "dedup.enabled=" + (mode != Mode.SPRING_ALO)));
    if (mode == Mode.SPRING_BATCH) {
      properties.add("spring.kafka.listener.type=batch");
    }
    Class<?> listener = mode == Mode.SPRING_BATCH ? BatchListener.class : RecordListener.class;
    context = new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE)
        .properties(properties.toArray(String[]::new))
        .initializers(ctx -> {
          GenericApplicationContext generic = (GenericApplicationContext) ctx;
          generic.registerBean(RunProbe.class, () -> probe);
          generic.registerBean(listener);
        })
        .run();
  }

  @Override
  public void close() {
    context.close();
  }

  /**
   * Reports {@code records} to the probe as committed once the listener's transaction commits (at once
   * without a transaction: the at-least-once listener's insert autocommits).
   */
  static void afterCommit(RunProbe probe, List<? extends ConsumerRecord<?, ?>> records) {
    if (!TransactionSynchronizationManager.isSynchronizationActive()) {
      probe.committed(records);
      return;
    }
    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
      @Override
      public void afterCommit() {
        probe.committed(records);
      }
    });
  }

  /** The application: Boot's auto-configuration, listeners registered by {@link SpringGroup}. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  /**
   * A record listener: the business insert of one record, through the {@link JdbcTemplate} (inside
   * kafka-dedup's transaction in {@code spring-record}; autocommit in {@code spring-alo}).
   */
  public static final class RecordListener {
    private final JdbcTemplate jdbc;
    private final RunProbe probe;
    private final int rows;

    RecordListener(JdbcTemplate jdbc, RunProbe probe, @Value("${bench.rows-per-record}") int rows) {
      this.jdbc = jdbc;
      this.probe = probe;
      this.rows = rows;
    }

    @KafkaListener(topics = "${bench.topic}")
    public void onRecord(ConsumerRecord<String, String> record) {
      probe.batchStarting();
      jdbc.execute((java.sql.Connection c) -> BusinessTable.insert(c, List.of(record), rows));
      afterCommit(probe, List.of(record));
      probe.applied(1);
    }
  }

  /** A batch listener: the business insert of the poll's (fresh) records in one statement. */
  public static final class BatchListener {
    private final JdbcTemplate jdbc;
    private final RunProbe probe;
    private final int rows;

    BatchListener(JdbcTemplate jdbc, RunProbe probe, @Value("${bench.rows-per-record}") int rows) {
      this.jdbc = jdbc;
      this.probe = probe;
      this.rows = rows;
    }

    @KafkaListener(topics = "${bench.topic}")
    public void onRecords(List<ConsumerRecord<String, String>> records) {
      probe.batchStarting();
      jdbc.execute((java.sql.Connection c) -> BusinessTable.insert(c, records, rows));
      afterCommit(probe, records);
      probe.applied(records.size());
    }
  }
}
