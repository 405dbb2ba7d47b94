package io.github.kafkadedup.consumer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A consumer run as a child JVM by crash tests: writes one {@code orders} row per fresh record.
 * Args: bootstrap jdbcUrl user password topic group mode; mode {@code loop} runs {@link DedupConsumer};
 * mode {@code halt-after-db-commit} processes one batch with {@link DedupProcessor} and then halts the JVM
 * before committing the batch's offsets to Kafka (the crash window dedup exists for).
 */
public final class OrderConsumerMain {
  private OrderConsumerMain() {}

  public static void main(String[] args) throws Exception {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[1]);
    hc.setUsername(args[2]);
    hc.setPassword(args[3]);
    hc.setMaximumPoolSize(2);
    String topic = args[4];
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", args[0]);
    props.put("group.id", args[5]);
    props.put("auto.offset.reset", "earliest");
    props.put("max.poll.records", "200");
    props.put("session.timeout.ms", "6000"); // a SIGKILLed member leaves the group quickly
    props.put("heartbeat.interval.ms", "1000");
    try (HikariDataSource ds = new HikariDataSource(hc)) {
      BatchHandler<String, String> insert = EngineFixture.insertOrders();
      if (args[6].equals("halt-after-db-commit")) {
        haltAfterDbCommit(props, ds, topic, insert);
        return;
      }
      DedupConsumer<String, String> consumer = DedupConsumer.builder(props, new StringDeserializer(),
              new StringDeserializer(), ds)
          .topics(topic).keyStrategy(KeyStrategy.header()).batchHandler(insert)
          .recoverer(Recoverer.logAndMarkDead()).build();
      Runtime.getRuntime().addShutdownHook(new Thread(consumer::close));
      System.out.println("started");
      consumer.run();
    }
  }

  private static void haltAfterDbCommit(Map<String, Object> props, HikariDataSource ds, String topic,
      BatchHandler<String, String> insert) {
    DedupProcessor<String, String> processor = DedupProcessor.<String, String>builder(ds)
        .config(DedupConfig.builder().scope(props.get("group.id").toString()).build())
        .keyStrategy(KeyStrategy.header()).batchHandler(insert).recoverer(Recoverer.logAndMarkDead()).build();
    try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      while (true) {
        var polled = consumer.poll(Duration.ofMillis(500));
        if (!polled.isEmpty()) {
          List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> batch = new java.util.ArrayList<>();
          polled.forEach(batch::add);
          BatchResult result = processor.process(batch);
          System.out.println("db-committed " + result.processed());
          Runtime.getRuntime().halt(137); // crash before consumer.commitSync(result.offsets())
        }
      }
    }
  }
}
