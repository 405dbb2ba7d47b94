package io.github.kafkadedup.reliability;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.outbox.OutboxRelay;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The processes of {@link OutboxChainScenarioIT}, each a child JVM so that it can be SIGKILLed. Args: role
 * bootstrap jdbcUrl user password ordersTopic paymentsTopic, role one of
 * <ul>
 *   <li>{@code a}: service A, consumes {@code orders} with kafka-dedup, inserts into {@code a_orders} and sends
 *       the payment through the outbox in the same transaction; a relay ({@code relay-a}) runs in its JVM;
 *   <li>{@code relay}: a relay on its own ({@code relay-r}), competing with A's for the lanes;
 *   <li>{@code b}: service B, consumes {@code payments} with kafka-dedup, inserts into {@code b_payments}.
 * </ul>
 * Every connection carries {@code ApplicationName=chain-<role>}, so the test can terminate their backends.
 */
public final class ChainServiceMain {
  private ChainServiceMain() {}

  public static void main(String[] args) throws Exception {
    String role = args[0];
    String bootstrap = args[1];
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[2]);
    hc.setUsername(args[3]);
    hc.setPassword(args[4]);
    hc.setMaximumPoolSize(3);
    hc.addDataSourceProperty("ApplicationName", "chain-" + role);
    try (HikariDataSource ds = new HikariDataSource(hc)) {
      switch (role) {
        case "a" -> {
          try (OutboxRelay relay = relay(ds, bootstrap, "relay-a").start();
              DedupConsumer<String, String> a = serviceA(ds, bootstrap, args[5], args[6])) {
            run(a);
          }
        }
        case "relay" -> {
          try (OutboxRelay relay = relay(ds, bootstrap, "relay-r").start()) {
            System.out.println("started");
            Thread.sleep(Long.MAX_VALUE);
          }
        }
        case "b" -> {
          try (DedupConsumer<String, String> b = serviceB(ds, bootstrap, args[6])) {
            run(b);
          }
        }
        default -> throw new IllegalArgumentException("role " + role);
      }
    }
  }

  private static void run(DedupConsumer<String, String> consumer) {
    Runtime.getRuntime().addShutdownHook(new Thread(consumer::close));
    System.out.println("started");
    consumer.run();
  }

  private static OutboxRelay relay(HikariDataSource ds, String bootstrap, String name) {
    return OutboxRelay.builder(ds, IdempotentProducerConfig.builder().bootstrapServers(bootstrap)
            .override("linger.ms", 5).build())
        .name(name).batchSize(200).pollInterval(Duration.ofMillis(500)).rebalanceInterval(Duration.ofMillis(300))
        .maxBackoff(Duration.ofSeconds(1)).build();
  }

  /** Static membership: a restarted instance takes the killed one's place at once, without a rebalance. */
  private static Map<String, Object> consumerProps(String bootstrap, String group) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", group);
    props.put("group.instance.id", group + "-0");
    props.put("auto.offset.reset", "earliest");
    props.put("max.poll.records", "100");
    props.put("session.timeout.ms", "6000");
    props.put("heartbeat.interval.ms", "1000");
    return props;
  }

  private static DedupConsumer<String, String> serviceA(HikariDataSource ds, String bootstrap, String orders,
      String payments) {
    Outbox<String, String> outbox = Outbox.builder(new StringSerializer(), new StringSerializer()).build();
    return DedupConsumer.builder(consumerProps(bootstrap, "service-a"), new StringDeserializer(),
            new StringDeserializer(), ds)
        .topics(orders).keyStrategy(KeyStrategy.header()).outbox(outbox).recoverer(Recoverer.logAndMarkDead())
        .recordHandler((record, tx) -> {
          try (PreparedStatement ps = tx.connection().prepareStatement(
              "INSERT INTO a_orders (order_key, seq) VALUES (?, ?)")) {
            ps.setString(1, record.key());
            ps.setInt(2, Integer.parseInt(record.value()));
            ps.executeUpdate();
          }
          tx.send(payments, record.key(), record.value());
        }).build();
  }

  private static DedupConsumer<String, String> serviceB(HikariDataSource ds, String bootstrap, String payments) {
    return DedupConsumer.builder(consumerProps(bootstrap, "service-b"), new StringDeserializer(),
            new StringDeserializer(), ds)
        .topics(payments).keyStrategy(KeyStrategy.header()).recoverer(Recoverer.logAndMarkDead())
        .batchHandler((records, tx) -> {
          try (PreparedStatement ps = tx.connection().prepareStatement(
              "INSERT INTO b_payments (order_key, seq) VALUES (?, ?)")) {
            for (var r : records) {
              ps.setString(1, r.key());
              ps.setInt(2, Integer.parseInt(r.value()));
              ps.addBatch();
            }
            ps.executeBatch();
          }
        }).build();
  }
}
