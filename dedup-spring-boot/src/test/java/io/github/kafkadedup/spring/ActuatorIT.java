package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

/**
 * The {@code kafkaDedup} health indicator and the {@code kafkadedup} endpoint of a Spring Boot web application
 * over HTTP, against the real database and broker: a processed key, a dead-lettered key whose copy waits in the
 * outbox (no relay runs), the thresholds crossed in the health details, and the key lookups.
 */
class ActuatorIT {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

  @Test
  void healthAndEndpointShowTheStoreAndLookUpKeys() throws Exception {
    try (SpringFixture f = new SpringFixture("actuator");
        ConfigurableApplicationContext app = start(f)) {
      String base = "http://127.0.0.1:" + app.getEnvironment().getRequiredProperty("local.server.port")
          + "/actuator";
      f.send("key-ok", "fine");
      f.send("key/poison", "poison");
      await().atMost(Duration.ofSeconds(120)).until(() -> f.count("SELECT count(*) FROM dead_letters") == 1
          && f.count("SELECT count(*) FROM orders WHERE payload = 'fine'") == 1);

      String health = get(base + "/health/kafkaDedup");
      assertThat(health).contains("\"status\":\"WARNING\"", "\"claimStore\":\"reachable\"", "\"pending\":1",
          "dedup.health.dead-letters-max", "\"window\":\"PT168H\"", "\"rows\":1");

      String status = get(base + "/kafkadedup");
      assertThat(status).contains("\"status\":\"PROBLEMS\"", "\"unresolved\":1", "\"maxAgeSeconds\":300");

      String ok = get(base + "/kafkadedup/" + f.group + "/key-ok");
      assertThat(ok).contains("\"scopeKnown\":true", "\"status\":\"P\"", "\"partition\":0", "\"offset\":0",
          "\"deadLetters\":[]");
      String poison = get(base + "/kafkadedup/" + f.group + "/key/poison");
      assertThat(poison).contains("\"key\":\"key/poison\"", "\"status\":\"D\"", "\"state\":\"pending\"",
          "\"source\":\"" + f.topic + "-0@1\"");
      assertThat(get(base + "/kafkadedup/" + f.group + "/never-sent")).contains("\"claims\":[]");
    }
  }

  private String get(String url) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    System.out.println("GET " + url + " -> " + r.statusCode() + " " + r.body());
    assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
    return r.body();
  }

  private static ConfigurableApplicationContext start(SpringFixture f) {
    List<String> all = new ArrayList<>(List.of(
        "spring.datasource.url=" + f.db.jdbcUrl(),
        "spring.datasource.username=" + f.db.user(),
        "spring.datasource.password=" + f.db.password(),
        "spring.datasource.hikari.maximum-pool-size=4",
        "spring.kafka.bootstrap-servers=" + f.kafka.bootstrapServers(),
        "spring.kafka.consumer.auto-offset-reset=earliest",
        "spring.main.banner-mode=off",
        "server.port=0",
        "server.address=127.0.0.1",
        "management.endpoints.web.exposure.include=health,kafkadedup",
        "management.endpoint.health.show-details=always",
        "dedup.retention.window=P7D",
        "test.topic=" + f.topic,
        "test.group=" + f.group));
    return new SpringApplicationBuilder(WebApp.class).web(WebApplicationType.SERVLET)
        .properties(all.toArray(String[]::new)).run();
  }

  /** A web application with Actuator, a listener that fails on "poison", and the table recoverer. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class WebApp {
    @Bean
    DefaultErrorHandler errorHandler(DedupListeners dedup) {
      return new DefaultErrorHandler(DeadLetterTableRecoverer.of(dedup, new StringSerializer(),
          new StringSerializer(), r -> r.topic() + "-dlt"), new FixedBackOff(50, 1));
    }

    @Bean
    Listener listener(JdbcTemplate jdbc) {
      return new Listener(jdbc);
    }
  }

  /** Writes one row per record; fails on "poison". */
  static class Listener {
    private final JdbcTemplate jdbc;

    Listener(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    @KafkaListener(topics = "${test.topic}", groupId = "${test.group}")
    public void onOrder(ConsumerRecord<String, String> record) {
      if (record.value().equals("poison")) {
        throw new IllegalStateException("poison");
      }
      jdbc.update("INSERT INTO orders (order_key, payload, kafka_offset) VALUES (?, ?, ?)",
          PollListenerIT.key(record), record.value(), record.offset());
    }
  }
}
