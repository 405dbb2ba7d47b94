package io.github.kafkadedup.examples.outbox;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.outbox.OutboxRelay;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Consumes {@code orders} exactly once, writes each order and sends a {@code payments} record through the
 * outbox in the same transaction; the relay publishes it after the commit. The README's "Outbox" section
 * shows this code. Args: bootstrap servers, JDBC URL, user, password.
 */
public final class PaymentRequests {
  private PaymentRequests() {}

  /**
   * Runs until the JVM is stopped.
   *
   * @param args bootstrap servers, JDBC URL, user, password
   */
  public static void main(String[] args) {
    HikariDataSource dataSource = new HikariDataSource();
    dataSource.setJdbcUrl(args[1]);
    dataSource.setUsername(args[2]);
    dataSource.setPassword(args[3]);
    DedupMigrations.migrate(dataSource);                       // processed_messages, outbox, ...

    Outbox<String, String> outbox = Outbox.builder(new StringSerializer(), new StringSerializer()).build();
    Map<String, Object> props = Map.of("bootstrap.servers", args[0], "group.id", "order-service");

    try (OutboxRelay relay = OutboxRelay.builder(dataSource,                 // any number of instances
            IdempotentProducerConfig.builder().bootstrapServers(args[0]).build()).build().start();
        DedupConsumer<String, String> consumer = DedupConsumer
            .builder(props, new StringDeserializer(), new StringDeserializer(), dataSource)
            .topics("orders")
            .keyStrategy(KeyStrategy.header())
            .outbox(outbox)                                                  // serializers, once
            .recordHandler((record, tx) -> {
              tx.dsl().insertInto(table("orders"), field("id"), field("body"))
                  .values(record.key(), record.value()).execute();
              tx.send("payments", record.key(), "{\"order\":\"" + record.key() + "\"}"); // same transaction
            })
            .recoverer(Recoverer.logAndMarkDead())
            .build()) {
      Runtime.getRuntime().addShutdownHook(new Thread(consumer::close));
      consumer.run();
    } finally {
      dataSource.close();
    }
  }
}
