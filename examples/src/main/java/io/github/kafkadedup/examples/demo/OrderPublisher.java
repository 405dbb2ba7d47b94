package io.github.kafkadedup.examples.demo;

import io.github.kafkadedup.producer.IdempotentProducerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes the order stream: {@code messages} orders, and {@code duplicates} re-sends of random earlier
 * ones, spread evenly over {@code seconds}.
 *
 * <p>The producer is the {@link IdempotentProducerConfig} preset, whose {@code IdempotencyKeyInterceptor}
 * stamps a new {@code idempotency-key} header on every record that has none. A re-send here is what an
 * application does after a timeout: it sends the <em>same</em> {@link ProducerRecord} again, whose headers
 * already carry the key, and the interceptor keeps an existing key. Kafka's idempotent producer cannot see
 * such a re-send (to the broker it is a new record at a new offset); a kafka-dedup consumer can.
 */
final class OrderPublisher implements Runnable {
  private static final int ACCOUNTS = 50;

  private final String bootstrapServers;
  private final String topic;
  private final DemoOptions options;
  private final Random random;
  private final AtomicInteger published = new AtomicInteger();
  private final Map<String, Long> expectedBalances = new TreeMap<>();
  private volatile long expectedTotal;
  private volatile Exception sendError;

  OrderPublisher(String bootstrapServers, String topic, DemoOptions options, long seed) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.options = options;
    this.random = new Random(seed);
  }

  /** Records sent so far (orders and re-sends). */
  int published() {
    return published.get();
  }

  /** The balance of every account once each order is applied exactly once (complete after {@link #run()}). */
  synchronized Map<String, Long> expectedBalances() {
    return Map.copyOf(expectedBalances);
  }

  /** The sum of all unique orders' amounts (complete after {@link #run()}). */
  long expectedTotal() {
    return expectedTotal;
  }

  /** The last send that failed, if any (the broker did not take a record). */
  Exception sendError() {
    return sendError;
  }

  @Override
  public void run() {
    Map<String, Object> config = IdempotentProducerConfig.builder()
        .bootstrapServers(bootstrapServers)
        .keySerializer(StringSerializer.class)
        .valueSerializer(StringSerializer.class)
        .build()
        .toMap();
    List<List<Integer>> resendsAfter = planResends();
    List<ProducerRecord<String, String>> sent = new ArrayList<>(options.messages());
    long nanosPerRecord = TimeUnit.SECONDS.toNanos(options.seconds()) / options.published();
    long start = System.nanoTime();
    try (Producer<String, String> producer = new KafkaProducer<>(config)) {
      for (int i = 0; i < options.messages(); i++) {
        ProducerRecord<String, String> order = newOrder(i);
        send(producer, order, start, nanosPerRecord);
        sent.add(order);
        for (int earlier : resendsAfter.get(i)) {
          send(producer, sent.get(earlier), start, nanosPerRecord); // same record object: same idempotency key
        }
      }
      producer.flush();
    }
  }

  /** For each order i, the earlier orders (at most i) that the application re-sends right after sending i. */
  private List<List<Integer>> planResends() {
    List<List<Integer>> after = new ArrayList<>(options.messages());
    for (int i = 0; i < options.messages(); i++) {
      after.add(new ArrayList<>(1));
    }
    for (int d = 0; d < options.duplicates(); d++) {
      int i = random.nextInt(options.messages());
      after.get(i).add(random.nextInt(i + 1));
    }
    return after;
  }

  private ProducerRecord<String, String> newOrder(int n) {
    String account = "acct-%02d".formatted(random.nextInt(ACCOUNTS) + 1);
    long amount = 100 + random.nextInt(50_000); // 1.00 to 500.99
    synchronized (this) {
      expectedBalances.merge(account, amount, Long::sum);
      expectedTotal += amount;
    }
    Order order = new Order("order-%06d".formatted(n + 1), account, amount);
    // key = account: one account's orders stay in order on one partition (and so does a re-send)
    return new ProducerRecord<>(topic, account, order.toWire());
  }

  private void send(Producer<String, String> producer, ProducerRecord<String, String> record, long start,
      long nanosPerRecord) {
    long due = start + published.get() * nanosPerRecord;
    long wait = due - System.nanoTime();
    if (wait > TimeUnit.MILLISECONDS.toNanos(2)) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait); // pacing, so that the crashes and rebalances happen mid-stream
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while publishing", e);
      }
    }
    producer.send(record, (metadata, error) -> {
      if (error != null) {
        sendError = error;
      }
    });
    published.incrementAndGet();
  }
}
