package io.github.kafkadedup.examples.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.consumer.BatchHandler;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.DuplicateCause;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.producer.DedupConsumerConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One consumer of the demo's group, run by the demo as a child JVM so that it can be killed with SIGKILL.
 * It applies each order to {@code orders} and {@code account_balances} with {@link OrderWriter}:
 *
 * <ul>
 *   <li>mode {@code dedup}: through {@link DedupConsumer}, which claims each record's idempotency key in the
 *       same transaction and never calls the handler for a key claimed before;
 *   <li>mode {@code no-dedup}: the same write in a plain at-least-once loop (poll, write, commit the
 *       transaction, commit the offsets), which is what the library replaces.
 * </ul>
 *
 * <p>It prints {@code ready}, {@code owns [...]} when its partitions change, and after each committed batch a
 * running total {@code stats processed=N redeliveries=N resends=N} that the demo adds up for its report.
 *
 * <p>Arguments: {@code bootstrapServers jdbcUrl user password topic group mode controlDir name}.
 */
public final class DemoConsumerMain {
  private final String name;
  private final Path controlDir;
  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong redeliveries = new AtomicLong();
  private final AtomicLong resends = new AtomicLong();

  private DemoConsumerMain(String name, Path controlDir) {
    this.name = name;
    this.controlDir = controlDir;
  }

  /**
   * Runs the consumer until SIGTERM (a clean shutdown: the group is left) or SIGKILL.
   *
   * @param args see the class comment
   */
  public static void main(String[] args) {
    if (args.length != 9) {
      throw new IllegalArgumentException(
          "usage: DemoConsumerMain bootstrapServers jdbcUrl user password topic group dedup|no-dedup controlDir name");
    }
    String bootstrap = args[0];
    String topic = args[4];
    String group = args[5];
    boolean dedup = args[6].equals("dedup");
    DemoConsumerMain main = new DemoConsumerMain(args[8], Path.of(args[7]));
    // The consumer preset: auto-commit off, read_committed, at most 500 records per poll (one poll is one
    // transaction), and here the broker-driven group protocol of Kafka 4 (KIP-848): rebalances move only the
    // partitions that change owner, without stopping the group. The broker's
    // group.consumer.session.timeout.ms decides how soon a killed member's partitions move (6 s on the
    // demo's embedded broker, 45 s by default).
    Map<String, Object> consumerProps = DedupConsumerConfig.builder()
        .bootstrapServers(bootstrap)
        .groupId(group)
        .groupProtocol(GroupProtocol.CONSUMER)
        .override("client.id", main.name)
        .build()
        .toMap();
    try (HikariDataSource dataSource = dataSource(args[1], args[2], args[3])) {
      if (dedup) {
        main.runWithDedup(consumerProps, dataSource, topic);
      } else {
        main.runAtLeastOnce(consumerProps, dataSource, topic);
      }
    }
  }

  private static HikariDataSource dataSource(String url, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setSchema(DemoSchema.NAME);
    config.setMaximumPoolSize(2);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED"); // explicit: a cut first connection cannot break it
    return new HikariDataSource(config);
  }

  /** The library's loop: the claim of each record's key commits in the same transaction as OrderWriter's rows. */
  private void runWithDedup(Map<String, Object> props, HikariDataSource dataSource, String topic) {
    BatchHandler<String, String> handler = (records, tx) -> {
      OrderWriter.write(tx.connection(), records);
      CrashPoint.MID_TRANSACTION.reachedBy(controlDir, name);
    };
    DedupConfig config = DedupConfig.builder()
        .schema(DemoSchema.DEDUP)
        .metrics(new Counting()) // the engine reports each batch's counts right after its database commit
        .build();
    DedupConsumer<String, String> consumer = DedupConsumer.builder(props, new StringDeserializer(),
            new StringDeserializer(), dataSource)
        .topics(topic)
        .keyStrategy(KeyStrategy.header()) // the idempotency-key header stamped by the producer's interceptor
        .batchHandler(handler)
        .recoverer(Recoverer.logAndMarkDead())
        .config(config)
        .rebalanceListener(new PrintAssignment())
        .build();
    Runtime.getRuntime().addShutdownHook(new Thread(consumer::close));
    System.out.println("ready");
    consumer.run();
  }

  /** What a consumer without the library does: correct offsets handling, and still at-least-once. */
  private void runAtLeastOnce(Map<String, Object> props, HikariDataSource dataSource, String topic) {
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new StringDeserializer())) {
      Thread poller = Thread.currentThread();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        consumer.wakeup();
        joinQuietly(poller);
      }));
      consumer.subscribe(List.of(topic), new PrintAssignment());
      System.out.println("ready");
      while (true) {
        ConsumerRecords<String, String> polled = consumer.poll(Duration.ofMillis(500));
        if (!polled.isEmpty()) {
          applyAtLeastOnce(consumer, dataSource, polled);
        }
      }
    } catch (WakeupException e) {
      // SIGTERM: the consumer closes and leaves the group
    } catch (SQLException e) {
      throw new IllegalStateException("database write failed", e);
    }
  }

  /** One batch: write and commit the transaction, then commit the offsets. A crash in between: applied twice. */
  private void applyAtLeastOnce(KafkaConsumer<String, String> consumer, HikariDataSource dataSource,
      ConsumerRecords<String, String> polled) throws SQLException {
    List<ConsumerRecord<String, String>> batch = new ArrayList<>(polled.count());
    polled.forEach(batch::add);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      OrderWriter.write(c, batch);
      CrashPoint.MID_TRANSACTION.reachedBy(controlDir, name);
      c.commit();
    }
    count(processed, batch.size());
    CrashPoint.AFTER_DB_COMMIT.reachedBy(controlDir, name);
    try {
      consumer.commitSync(nextOffsets(polled));
    } catch (RetriableCommitFailedException | CommitFailedException e) {
      System.out.println("offset commit failed, the batch will be delivered again: " + e);
      for (TopicPartition tp : polled.partitions()) {
        if (consumer.assignment().contains(tp)) {
          consumer.seek(tp, polled.records(tp).getFirst().offset());
        }
      }
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, String> polled) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : polled.partitions()) {
      List<ConsumerRecord<String, String>> records = polled.records(tp);
      offsets.put(tp, new OffsetAndMetadata(records.getLast().offset() + 1));
    }
    return offsets;
  }

  private static void joinQuietly(Thread thread) {
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void count(AtomicLong counter, long n) {
    counter.addAndGet(n);
    System.out.println("stats processed=" + processed + " redeliveries=" + redeliveries + " resends=" + resends);
  }

  /**
   * The engine's counts, printed as running totals. The engine reports a batch right after its database
   * commit and before the Kafka offset commit, which makes this also the place of the second crash point.
   */
  private final class Counting implements DedupMetrics {
    @Override
    public void processed(String scope, int count) {
      count(processed, count);
      CrashPoint.AFTER_DB_COMMIT.reachedBy(controlDir, name);
    }

    @Override
    public void duplicates(String scope, DuplicateCause cause, int count) {
      count(cause == DuplicateCause.REDELIVERY ? redeliveries : resends, count);
    }
  }

  /** Prints {@code owns [..]}, the partitions this member owns, whenever that changes. */
  private static final class PrintAssignment implements ConsumerRebalanceListener {
    private final Set<Integer> owned = new TreeSet<>();

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      partitions.forEach(tp -> owned.remove(tp.partition()));
      print();
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      partitions.forEach(tp -> owned.add(tp.partition())); // incremental: only the partitions that moved
      print();
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      onPartitionsRevoked(partitions);
    }

    private void print() {
      System.out.println("owns " + owned);
    }
  }
}
