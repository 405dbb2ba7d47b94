package io.github.kafkadedup.reliability;

import io.github.kafkadedup.spring.DeadLetterTableRecoverer;
import io.github.kafkadedup.spring.DedupListeners;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * A scenario service in a child JVM (so the test can SIGKILL it): a Spring Boot application as a user writes it
 * from docs/spring-boot.md, decorated by the starter's auto-configuration, as the runtime role (HikariCP pool of
 * 4), writing {@code shop.effects} with {@code JdbcTemplate} from a record or a batch {@code @KafkaListener}
 * (poison values throw), a {@code DefaultErrorHandler} with an exponential BackOff and either
 * {@link DeadLetterTableRecoverer} (the outbox relay publishes to {@code <topic>.DLT}) or Spring's
 * {@code DeadLetterPublishingRecoverer} (to {@code <topic>.DLT}). Arguments are {@code key=value}:
 * {@code bootstrap}, {@code jdbc}, {@code user}, {@code password}, {@code topic}, {@code group}, {@code name},
 * {@code listener=record|batch}, {@code recoverer=table|dlpr}. Prints {@code started} once its container runs.
 */
public final class SpringServiceMain {
  private SpringServiceMain() {}

  public static void main(String[] argv) {
    Map<String, String> a = new HashMap<>();
    for (String arg : argv) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    boolean batch = "batch".equals(a.get("listener"));
    boolean table = "table".equals(a.get("recoverer"));
    List<String> properties = new ArrayList<>(List.of(
        "spring.datasource.url=" + a.get("jdbc"),
        "spring.datasource.username=" + a.get("user"),
        "spring.datasource.password=" + a.get("password"),
        "spring.datasource.hikari.maximum-pool-size=4",
        "spring.datasource.hikari.connection-timeout=5000",
        "spring.datasource.hikari.pool-name=" + a.get("name"),
        "spring.kafka.bootstrap-servers=" + a.get("bootstrap"),
        "spring.kafka.consumer.group-id=" + a.get("group"),
        "spring.kafka.consumer.auto-offset-reset=earliest",
        "spring.kafka.consumer.max-poll-records=100",
        "spring.kafka.consumer.properties.isolation.level=read_committed",
        "spring.kafka.consumer.properties.session.timeout.ms=6000",
        "spring.kafka.consumer.properties.heartbeat.interval.ms=1000",
        "spring.kafka.producer.properties.delivery.timeout.ms=120000",
        "spring.main.banner-mode=off",
        "dedup.table.schema=" + ReliabilityDb.SCHEMA,
        "dedup.migrations.enabled=false",
        "dedup.outbox.relay.enabled=" + table,
        "dedup.outbox.relay.name=relay-" + a.get("name"),
        "scenario.topic=" + a.get("topic"),
        "scenario.name=" + a.get("name")));
    if (batch) {
      properties.add("spring.kafka.listener.type=batch");
    }
    new SpringApplicationBuilder(batch ? (table ? BatchTableApp.class : BatchDlprApp.class)
        : (table ? RecordTableApp.class : RecordDlprApp.class))
        .web(WebApplicationType.NONE)
        .properties(properties.toArray(String[]::new))
        .run();
    System.out.println("started");
  }

  private static DefaultErrorHandler errorHandler(org.springframework.kafka.listener.ConsumerRecordRecoverer r) {
    ExponentialBackOff backOff = new ExponentialBackOff(100, 2.0);
    backOff.setMaxInterval(2_000);
    backOff.setMaxAttempts(6);
    return new DefaultErrorHandler(r, backOff);
  }

  private static DefaultErrorHandler table(DedupListeners dedup) {
    return errorHandler(DeadLetterTableRecoverer.of(dedup, new StringSerializer(), new StringSerializer()));
  }

  private static DefaultErrorHandler dlpr(KafkaTemplate<?, ?> template) {
    return errorHandler(new DeadLetterPublishingRecoverer(template,
        (r, e) -> new TopicPartition(r.topic() + ".DLT", 0)));
  }

  private static void write(JdbcTemplate jdbc, String name, ConsumerRecord<String, String> r) {
    if (r.value() != null && r.value().startsWith(EffectsHandler.POISON_PREFIX)) {
      throw new IllegalArgumentException("poison message " + EffectsHandler.idempotencyKey(r) + " refused");
    }
    jdbc.update("INSERT INTO " + ReliabilityDb.EFFECTS + " (message_key, payload, applied_by, topic, "
        + "kafka_partition, kafka_offset) VALUES (?, ?, ?, ?, ?, ?)", EffectsHandler.idempotencyKey(r), r.value(),
        name, r.topic(), r.partition(), r.offset());
  }

  /** A record listener writing one effect per record. */
  public static class RecordListener {
    private final JdbcTemplate jdbc;
    private final String name;

    RecordListener(JdbcTemplate jdbc, String name) {
      this.jdbc = jdbc;
      this.name = name;
    }

    @KafkaListener(topics = "${scenario.topic}")
    public void onRecord(ConsumerRecord<String, String> record) {
      write(jdbc, name, record);
    }
  }

  /** A batch listener writing one effect per record (a poison record fails the whole batch). */
  public static class BatchListener {
    private final JdbcTemplate jdbc;
    private final String name;

    BatchListener(JdbcTemplate jdbc, String name) {
      this.jdbc = jdbc;
      this.name = name;
    }

    @KafkaListener(topics = "${scenario.topic}")
    public void onBatch(List<ConsumerRecord<String, String>> records) {
      records.forEach(r -> write(jdbc, name, r));
    }
  }

  /** Record listener, dead-letter table. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class RecordTableApp {
    @Bean
    DefaultErrorHandler errorHandler(DedupListeners dedup) {
      return table(dedup);
    }

    @Bean
    RecordListener listener(JdbcTemplate jdbc, @Value("${scenario.name}") String name) {
      return new RecordListener(jdbc, name);
    }
  }

  /** Record listener, Spring's DeadLetterPublishingRecoverer. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class RecordDlprApp {
    @Bean
    DefaultErrorHandler errorHandler(KafkaTemplate<?, ?> template) {
      return dlpr(template);
    }

    @Bean
    RecordListener listener(JdbcTemplate jdbc, @Value("${scenario.name}") String name) {
      return new RecordListener(jdbc, name);
    }
  }

  /** Batch listener, dead-letter table. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class BatchTableApp {
    @Bean
    DefaultErrorHandler errorHandler(DedupListeners dedup) {
      return table(dedup);
    }

    @Bean
    BatchListener listener(JdbcTemplate jdbc, @Value("${scenario.name}") String name) {
      return new BatchListener(jdbc, name);
    }
  }

  /** Batch listener, Spring's DeadLetterPublishingRecoverer. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class BatchDlprApp {
    @Bean
    DefaultErrorHandler errorHandler(KafkaTemplate<?, ?> template) {
      return dlpr(template);
    }

    @Bean
    BatchListener listener(JdbcTemplate jdbc, @Value("${scenario.name}") String name) {
      return new BatchListener(jdbc, name);
    }
  }
}
