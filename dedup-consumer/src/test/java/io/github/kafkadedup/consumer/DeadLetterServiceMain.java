package io.github.kafkadedup.consumer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.outbox.OutboxRelay;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A service run as a child JVM by {@link DeadLetterCrashIT}: one {@code orders} row per fresh record, values
 * starting with "boom" dead-lettered through the table. Args: bootstrap jdbcUrl user password topic group mode;
 * mode {@code loop} runs {@link DedupConsumer} and an outbox relay; mode {@code halt-after-db-commit} processes
 * one batch with {@link DedupProcessor}, no relay, and halts the JVM right after the database commit; modes
 * {@code sequenced} and {@code sequenced-fixed} run the loop with {@code Sequencing.byRecordKey()}, the second with
 * the handler fixed (no value fails).
 */
public final class DeadLetterServiceMain {
  private DeadLetterServiceMain() {}

  public static void main(String[] args) throws Exception {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[1]);
    hc.setUsername(args[2]);
    hc.setPassword(args[3]);
    hc.setMaximumPoolSize(3);
    String topic = args[4];
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", args[0]);
    props.put("group.id", args[5]);
    props.put("auto.offset.reset", "earliest");
    props.put("max.poll.records", "100");
    props.put("session.timeout.ms", "6000"); // a SIGKILLed member leaves the group quickly
    props.put("heartbeat.interval.ms", "1000");
    Recoverer<String, String> table = Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer());
    try (HikariDataSource ds = new HikariDataSource(hc)) {
      if (args[6].equals("halt-after-db-commit")) {
        DedupProcessor<String, String> processor = DedupProcessor.<String, String>builder(ds)
            .config(DedupConfig.builder().scope(args[5]).build()).keyStrategy(KeyStrategy.header())
            .recordHandler(DeadLetterTableIT.POISONED).recoverer(table).build();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
          consumer.subscribe(List.of(topic));
          while (true) {
            List<ConsumerRecord<String, String>> batch = new ArrayList<>();
            consumer.poll(Duration.ofMillis(500)).forEach(batch::add);
            if (!batch.isEmpty()) {
              BatchResult result = processor.process(batch);
              System.out.println("db-committed " + result.deadLettered());
              Runtime.getRuntime().halt(137); // before any relay could publish the dead letters
            }
          }
        }
      }
      OutboxRelay relay = OutboxRelay.builder(ds, IdempotentProducerConfig.builder().bootstrapServers(args[0])
          .build()).name("relay-" + ProcessHandle.current().pid()).pollInterval(Duration.ofMillis(500)).build();
      boolean fixed = args[6].equals("sequenced-fixed");
      DedupConsumer.Builder<String, String> builder = DedupConsumer.builder(props, new StringDeserializer(),
              new StringDeserializer(), ds)
          .topics(topic).keyStrategy(KeyStrategy.header())
          .recordHandler(fixed ? EngineFixture.insertOrder() : DeadLetterTableIT.POISONED).recoverer(table);
      if (args[6].startsWith("sequenced")) {
        builder.sequencing(Sequencing.byRecordKey());
      }
      DedupConsumer<String, String> consumer = builder.build();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        consumer.close();
        relay.close();
      }));
      relay.start();
      System.out.println("started");
      consumer.run();
    }
  }
}
