package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One member of a group loses its database (its pool refuses every connection, as a pool whose server is
 * unreachable or whose default isolation broke does): past the outage bound it says so (gauge, health method)
 * and gives its partitions back to the group, so the other member applies every record; when its database
 * answers again it rejoins.
 */
class DatabaseOutageIT {
  static EngineFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new EngineFixture("db_outage");
  }

  @AfterAll
  static void tearDown() {
    fx.close();
  }

  @Test
  void aMemberWithoutItsDatabaseGivesItsPartitionsBackAndRejoinsWhenItAnswers() {
    String topic = fx.kafka.createTopic("db-outage", 4);
    String group = "g-" + topic;
    SwitchableDataSource broken = new SwitchableDataSource(fx.db.dataSource());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DedupConsumer<String, String> a = member(topic, group, broken,
        DedupConfig.builder().metrics(DedupMetrics.micrometer(registry)).build());
    DedupConsumer<String, String> b = member(topic, group, fx.db.dataSource(), DedupConfig.defaults());
    send(topic, 0, 40);
    String applied = "SELECT count(*) FROM orders WHERE topic = '" + topic + "'";
    await().atMost(Duration.ofSeconds(120)).until(() -> fx.count(applied) == 40);

    broken.refuse.set(true);
    send(topic, 40, 200);
    await().atMost(Duration.ofSeconds(120)).until(a::isDatabaseUnavailable);
    assertThat(registry.get("kafka.dedup.database.unavailable").tag("scope", group).gauge().value()).isEqualTo(1.0);
    await().atMost(Duration.ofSeconds(120)).until(() -> fx.count(applied) == 200); // b took a's partitions
    assertThat(b.isDatabaseUnavailable()).isFalse();

    broken.refuse.set(false);
    await().atMost(Duration.ofSeconds(60)).until(() -> !a.isDatabaseUnavailable());
    assertThat(registry.get("kafka.dedup.database.unavailable").tag("scope", group).gauge().value()).isZero();
    b.close(); // a alone now: it must have rejoined to apply these
    send(topic, 200, 260);
    await().atMost(Duration.ofSeconds(120)).until(() -> fx.count(applied) == 260);
    assertThat(fx.count("SELECT count(DISTINCT order_key) FROM orders WHERE topic = '" + topic + "'"))
        .as("each applied once").isEqualTo(260);
  }

  /**
   * Offsets in PostgreSQL: a member that joins without its database cannot take ownership of its partitions,
   * which stay paused; past the bound it leaves the group and the other member takes them.
   */
  @Test
  void aMemberThatCannotTakeOwnershipOfItsPartitionsGivesThemBack() {
    String topic = fx.kafka.createTopic("db-outage-owner", 4);
    String group = "g-" + topic;
    SwitchableDataSource broken = new SwitchableDataSource(fx.db.dataSource());
    broken.refuse.set(true);
    DedupConsumer<String, String> a = member(topic, group, broken, DedupConfig.defaults(), true);
    send(topic, 0, 100);
    await().atMost(Duration.ofSeconds(120)).until(a::isDatabaseUnavailable);
    member(topic, group, fx.db.dataSource(), DedupConfig.defaults(), true);
    String applied = "SELECT count(*) FROM orders WHERE topic = '" + topic + "'";
    await().atMost(Duration.ofSeconds(120)).until(() -> fx.count(applied) == 100);
    assertThat(fx.count("SELECT count(DISTINCT order_key) FROM orders WHERE topic = '" + topic + "'"))
        .isEqualTo(100);
  }

  private static DedupConsumer<String, String> member(String topic, String group, DataSource dataSource,
      DedupConfig config) {
    return member(topic, group, dataSource, config, false);
  }

  private static DedupConsumer<String, String> member(String topic, String group, DataSource dataSource,
      DedupConfig config, boolean offsetsInDatabase) {
    Map<String, Object> props = fx.kafka.consumerProps(group);
    props.put("session.timeout.ms", "6000");
    props.put("heartbeat.interval.ms", "1000");
    return fx.start(DedupConsumer.builder(props, new StringDeserializer(), new StringDeserializer(), dataSource)
        .topics(topic).config(config).keyStrategy(KeyStrategy.header()).batchHandler(EngineFixture.insertOrders())
        .recoverer(fx.dlt()).offsetsInDatabase(offsetsInDatabase).databaseOutageBound(Duration.ofSeconds(3))
        .build());
  }

  private static void send(String topic, int from, int to) {
    var producer = fx.producer();
    for (int i = from; i < to; i++) {
      ProducerRecord<String, String> r = new ProducerRecord<>(topic, "o" + i, "v" + i);
      r.headers().add(KeyStrategy.DEFAULT_HEADER, (topic + "-o" + i).getBytes(StandardCharsets.UTF_8));
      producer.send(r);
    }
    producer.flush();
  }

  /** A DataSource that refuses every connection while {@link #refuse} is set (SQLSTATE 08001). */
  static final class SwitchableDataSource implements DataSource {
    final AtomicBoolean refuse = new AtomicBoolean();
    private final DataSource target;

    SwitchableDataSource(DataSource target) {
      this.target = target;
    }

    @Override
    public Connection getConnection() throws SQLException {
      if (refuse.get()) {
        throw new SQLException("Connection to 127.0.0.1 refused (test switch)", "08001");
      }
      return target.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
