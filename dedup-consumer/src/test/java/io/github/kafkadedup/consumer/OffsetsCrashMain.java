package io.github.kafkadedup.consumer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A child JVM for {@link OffsetsInDatabaseIT}: a {@link DedupConsumer} in offsets-in-PostgreSQL mode
 * that writes one {@code orders} row per record and commits offsets to Kafka normally until it has
 * processed {@code total} records; then, right after that batch's database commit, it prints
 * {@code HANG-BEFORE-KAFKA-COMMIT} and blocks inside the Kafka commit, for the test to SIGKILL it.
 * Args: bootstrap jdbcUrl user password topic group total.
 */
public final class OffsetsCrashMain {
  private OffsetsCrashMain() {}

  public static void main(String[] args) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[1]);
    hc.setUsername(args[2]);
    hc.setPassword(args[3]);
    hc.setMaximumPoolSize(2);
    int total = Integer.parseInt(args[6]);
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", args[0]);
    props.put("group.id", args[5]);
    props.put("auto.offset.reset", "earliest");
    props.put("max.poll.records", "30");
    props.put("session.timeout.ms", "3000"); // after the SIGKILL the group drops this member quickly
    props.put("heartbeat.interval.ms", "1000");
    AtomicInteger processed = new AtomicInteger();
    HikariDataSource ds = new HikariDataSource(hc);
    RecordHandler<String, String> insert = EngineFixture.insertOrder();
    DedupConsumer<String, String> consumer = DedupConsumer.builder(props, new StringDeserializer(),
            new StringDeserializer(), ds)
        .topics(args[4]).keyStrategy(KeyStrategy.header()).recoverer(Recoverer.logAndMarkDead())
        .recordHandler((record, tx) -> {
          insert.handle(record, tx);
          processed.incrementAndGet();
        })
        .offsetsInDatabase(true)
        .consumerFactory(p -> new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer()) {
          @Override
          public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (processed.get() >= total) {
              System.out.println("HANG-BEFORE-KAFKA-COMMIT " + offsets);
              sleepForever();
            }
            super.commitSync(offsets);
          }
        })
        .build();
    consumer.run();
  }

  private static void sleepForever() {
    while (true) {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        // keep hanging: only SIGKILL ends this process
      }
    }
  }
}
