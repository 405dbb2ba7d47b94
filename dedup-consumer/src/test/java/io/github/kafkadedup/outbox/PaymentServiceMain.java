package io.github.kafkadedup.outbox;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Service A of the chain test, run as a child JVM so that it can be SIGKILLed: consumes {@code orders}
 * with kafka-dedup, writes a row per order event and sends a payment through the outbox in the same
 * transaction; an outbox relay in the same JVM publishes the payments. Args: bootstrap jdbcUrl user
 * password ordersTopic paymentsTopic.
 */
public final class PaymentServiceMain {
  private PaymentServiceMain() {}

  public static void main(String[] args) throws Exception {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[1]);
    hc.setUsername(args[2]);
    hc.setPassword(args[3]);
    hc.setMaximumPoolSize(3);
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", args[0]);
    props.put("group.id", "service-a");
    props.put("auto.offset.reset", "earliest");
    props.put("max.poll.records", "100");
    props.put("session.timeout.ms", "6000");
    // static membership: the restarted instance takes the killed one's place at once, without a rebalance
    props.put("group.instance.id", "service-a-0");
    props.put("heartbeat.interval.ms", "1000");
    String payments = args[5];
    Outbox<String, String> outbox = Outbox.builder(new org.apache.kafka.common.serialization.StringSerializer(),
        new org.apache.kafka.common.serialization.StringSerializer()).build();
    try (HikariDataSource ds = new HikariDataSource(hc);
        OutboxRelay relay = OutboxRelay.builder(ds, IdempotentProducerConfig.builder().bootstrapServers(args[0])
                .override("linger.ms", 5).build())
            .name("relay-a").batchSize(200).rebalanceInterval(Duration.ofMillis(300)).build().start();
        DedupConsumer<String, String> consumer = DedupConsumer.builder(props, new StringDeserializer(),
                new StringDeserializer(), ds)
            .topics(args[4]).keyStrategy(KeyStrategy.header()).outbox(outbox)
            .recoverer(Recoverer.logAndMarkDead())
            .recordHandler((record, tx) -> {
              try (PreparedStatement ps = tx.connection().prepareStatement(
                  "INSERT INTO a_orders (order_key, seq) VALUES (?, ?)")) {
                ps.setString(1, record.key());
                ps.setInt(2, Integer.parseInt(record.value()));
                ps.executeUpdate();
              }
              tx.send(payments, record.key(), record.value());
            }).build()) {
      Runtime.getRuntime().addShutdownHook(new Thread(consumer::close));
      System.out.println("started");
      consumer.run();
    }
  }
}
