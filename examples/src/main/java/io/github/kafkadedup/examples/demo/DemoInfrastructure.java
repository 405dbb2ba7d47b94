package io.github.kafkadedup.examples.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.testsupport.TestDatabase;
import io.github.kafkadedup.testsupport.TestKafka;
import io.github.kafkadedup.testsupport.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The PostgreSQL and Kafka the demo runs against: yours when {@code DEDUP_JDBC_URL} (with
 * {@code DEDUP_JDBC_USER}, {@code DEDUP_JDBC_PASSWORD}) and {@code DEDUP_KAFKA_BOOTSTRAP} are set, otherwise
 * a real PostgreSQL started from embedded binaries and a real KRaft broker in this JVM (the project's test
 * infrastructure, {@code dedup-test-support}).
 */
final class DemoInfrastructure implements AutoCloseable {
  final String jdbcUrl;
  final String user;
  final String password;
  final String bootstrapServers;
  final String description;
  final boolean externalKafka;
  final HikariDataSource dataSource;
  final Admin admin;

  private DemoInfrastructure(String jdbcUrl, String user, String password, String bootstrapServers,
      String description, boolean externalKafka) {
    this.externalKafka = externalKafka;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.bootstrapServers = bootstrapServers;
    this.description = description;
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(2);
    this.dataSource = new HikariDataSource(config);
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  static DemoInfrastructure start() {
    String url = System.getenv("DEDUP_JDBC_URL");
    String database;
    String user;
    String password;
    if (url != null && !url.isBlank()) {
      user = envOr("DEDUP_JDBC_USER", "postgres");
      password = envOr("DEDUP_JDBC_PASSWORD", "");
      database = "PostgreSQL at " + url;
    } else {
      TestDatabase db = quietly(() -> TestPostgres.get().createDatabase("demo"));
      url = db.jdbcUrl();
      user = db.user();
      password = db.password();
      database = "embedded PostgreSQL (" + url + ")";
    }
    String bootstrap = System.getenv("DEDUP_KAFKA_BOOTSTRAP");
    String kafka;
    boolean external = bootstrap != null && !bootstrap.isBlank();
    if (external) {
      kafka = "Kafka at " + bootstrap;
    } else {
      bootstrap = quietly(() -> TestKafka.get().bootstrapServers());
      kafka = "in-process KRaft broker (" + bootstrap + ")";
    }
    return new DemoInfrastructure(url, user, password, bootstrap, database + ", " + kafka, external);
  }

  /** Runs {@code start} with {@code System.out} captured (the embedded broker prints its set-up), shown on failure. */
  private static <T> T quietly(Supplier<T> start) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      return start.get();
    } catch (RuntimeException e) {
      original.print(captured.toString(StandardCharsets.UTF_8));
      throw e;
    } finally {
      System.setOut(original);
    }
  }

  private static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null ? fallback : value;
  }

  @Override
  public void close() {
    admin.close();
    dataSource.close();
  }
}
