package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A service whose pool cannot connect any more (its role may no longer log in, and its connections are cut)
 * keeps failing transiently; past the outage bound its container is stopped, so its partition goes back to the
 * group and another instance applies the records; when its database answers again the container starts again.
 * Nothing is dead-lettered on the way.
 */
class DatabaseOutageSpringIT {

  @Test
  void aServiceWithoutItsDatabaseGivesItsPartitionBackAndRejoinsWhenItAnswers() {
    try (SpringFixture f = new SpringFixture("spring-outage")) {
      f.db.execute("CREATE ROLE outage_app LOGIN PASSWORD 'outage'", "GRANT " + f.db.user() + " TO outage_app");
      ConfigurableApplicationContext a = f.start(RecordListenerIT.RecordApp.class,
          "spring.datasource.username=outage_app", "spring.datasource.password=outage",
          "spring.datasource.hikari.connection-timeout=1000", "dedup.listener.database-outage-bound=3s",
          "spring.kafka.consumer.properties.session.timeout.ms=6000",
          "spring.kafka.consumer.properties.heartbeat.interval.ms=1000");
      assertThat(((HikariDataSource) a.getBean(DataSource.class)).getTransactionIsolation())
          .as("set by the auto-configuration").isEqualTo("TRANSACTION_READ_COMMITTED");
      send(f, 0, 5);
      await().atMost(Duration.ofSeconds(90)).until(() -> f.committed() == 5);

      f.db.execute("ALTER ROLE outage_app NOLOGIN",
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'outage_app'");
      send(f, 5, 10);
      DedupListeners dedupA = a.getBean(DedupListeners.class);
      await().atMost(Duration.ofSeconds(90)).until(dedupA::isDatabaseUnavailable);
      assertThat(a.getBean(MeterRegistry.class).get("kafka.dedup.database.unavailable").gauge().value())
          .isEqualTo(1.0);

      ConfigurableApplicationContext b = f.start(RecordListenerIT.RecordApp.class); // takes the partition
      await().atMost(Duration.ofSeconds(90)).until(() -> f.committed() == 10);

      f.db.execute("ALTER ROLE outage_app LOGIN");
      await().atMost(Duration.ofSeconds(60)).until(() -> !dedupA.isDatabaseUnavailable());
      assertThat(a.getBean(MeterRegistry.class).get("kafka.dedup.database.unavailable").gauge().value()).isZero();
      b.close(); // a alone again: it must have rejoined to apply these
      send(f, 10, 15);
      await().atMost(Duration.ofSeconds(120)).until(() -> f.committed() == 15);

      assertThat(f.count("SELECT count(DISTINCT order_key) FROM orders")).isEqualTo(15);
      assertThat(f.count("SELECT count(*) FROM orders")).as("each applied once").isEqualTo(15);
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'D'")).isZero();
      assertThat(f.kafka.readAll(f.topic + "-dlt", 0)).as("nothing dead-lettered").isEmpty();
    }
  }

  private static void send(SpringFixture f, int from, int to) {
    List<String[]> input = new ArrayList<>();
    for (int i = from; i < to; i++) {
      input.add(new String[] {"k" + i, "v" + i});
    }
    f.sendAll(input);
  }
}
