package io.github.kafkadedup.spring;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A Spring Boot order service for crash tests, run in a child JVM. Args: bootstrap jdbcUrl user password topic
 * group haltAfter. With {@code haltAfter > 0} the JVM halts (exit 137) right after the database commit of the
 * transaction holding the record that many (with one transaction per poll, the rest of its poll too), before
 * the container commits their offsets.
 */
public final class OrderServiceMain {

  private OrderServiceMain() {}

  public static void main(String[] args) {
    new SpringApplicationBuilder(App.class).web(org.springframework.boot.WebApplicationType.NONE)
        .properties("spring.kafka.bootstrap-servers=" + args[0], "spring.datasource.url=" + args[1],
            "spring.datasource.username=" + args[2], "spring.datasource.password=" + args[3],
            "test.topic=" + args[4], "test.group=" + args[5], "test.halt-after=" + args[6],
            "spring.kafka.consumer.auto-offset-reset=earliest", "spring.main.banner-mode=off",
            // a killed member must leave the group quickly, so the survivor gets its partition in seconds
            "spring.kafka.consumer.properties.session.timeout.ms=6000",
            "spring.kafka.consumer.properties.heartbeat.interval.ms=1000")
        .run(args);
    System.out.println("order-service started");
  }

  /** The service. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    HaltingListener haltingListener(JdbcTemplate jdbc, org.springframework.core.env.Environment env) {
      return new HaltingListener(jdbc, Integer.parseInt(env.getRequiredProperty("test.halt-after")));
    }
  }

  /** Inserts one order row per record, keyed by its idempotency key. */
  static final class HaltingListener {
    private final JdbcTemplate jdbc;
    private final int haltAfter;
    private final AtomicInteger applied = new AtomicInteger();

    HaltingListener(JdbcTemplate jdbc, int haltAfter) {
      this.jdbc = jdbc;
      this.haltAfter = haltAfter;
    }

    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onOrder(ConsumerRecord<String, String> record) {
      String key = new String(record.headers().lastHeader("idempotency-key").value(), StandardCharsets.UTF_8);
      jdbc.update("INSERT INTO orders (order_key, payload, kafka_offset) VALUES (?, ?, ?)", key, record.value(),
          record.offset());
      int n = applied.incrementAndGet();
      if (n == haltAfter) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
          @Override
          public void afterCommit() {
            System.out.println("db-committed " + n);
            System.out.flush();
            Runtime.getRuntime().halt(137);
          }
        });
      }
    }
  }
}
