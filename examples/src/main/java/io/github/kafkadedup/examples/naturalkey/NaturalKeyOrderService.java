package io.github.kafkadedup.examples.naturalkey;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.DedupContext;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.examples.plain.OrderPlaced;
import io.github.kafkadedup.examples.plain.OrderService;
import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.producer.DedupConsumerConfig;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.flywaydb.core.Flyway;

/**
 * The natural-key fast path: the order service of {@link OrderService}, without key claims. Every
 * {@link OrderPlaced} event carries an order id that is the {@code orders} row's primary key, so the business
 * row itself can tell a re-sent order from a new one, and no claim row is needed:
 *
 * <ul>
 *   <li><b>redeliveries</b> (a crash between the database commit and Kafka's offset commit, a rebalance, a
 *       zombie) are fenced by the offsets kafka-dedup stores in PostgreSQL in the same transaction
 *       ({@code offsetsInDatabase(true)}): a redelivered record is not even handed to the handler;
 *   <li><b>re-sends</b> (the same order sent again, at a new offset) reach the handler, and
 *       {@code INSERT ... ON CONFLICT (order_id) DO NOTHING} turns them into no-ops; the derived effect (the
 *       customer's running total) is applied only for the orders that insert actually inserted
 *       ({@code RETURNING}).
 * </ul>
 *
 * <p>What this does <b>not</b> cover is in docs/performance.md ("The natural-key fast path"): above all, any
 * effect that is not gated on the natural-key insert's result runs again for a re-send.
 */
public final class NaturalKeyOrderService implements AutoCloseable {
  /** kafka-dedup's tables (here only {@code consumer_offsets} is written) go into a schema of their own. */
  static final DedupSchema DEDUP_SCHEMA = DedupSchema.of("kafka_dedup");

  /** The fast path's one business statement: new orders are inserted, known order ids are skipped. */
  static final String INSERT_NEW_ORDERS = "INSERT INTO orders (order_id, customer_id, amount_cents)"
      + " SELECT * FROM unnest(?::text[], ?::text[], ?::int8[])"
      + " ON CONFLICT (order_id) DO NOTHING RETURNING customer_id, amount_cents";

  private static final String ADD_TO_TOTALS = "INSERT INTO customer_totals (customer_id, total_cents)"
      + " SELECT * FROM unnest(?::text[], ?::int8[])"
      + " ON CONFLICT (customer_id) DO UPDATE SET total_cents = customer_totals.total_cents + excluded.total_cents";

  private final HikariDataSource dataSource;
  private final Producer<byte[], byte[]> deadLetterProducer;
  private final DedupConsumer<String, String> consumer;
  private final CountDownLatch stopped = new CountDownLatch(1);

  /**
   * Connects, migrates the application's tables and kafka-dedup's, and builds the consumer.
   *
   * @param settings where to run (the same settings as the claiming {@link OrderService})
   */
  public NaturalKeyOrderService(OrderService.Settings settings) {
    this(settings, DedupMetrics.none(), Map.of());
  }

  /**
   * For tests: {@code metrics} sees the engine's counts ({@link DedupMetrics#processed} right after each
   * database commit), {@code consumerOverrides} replace consumer properties of the preset.
   */
  NaturalKeyOrderService(OrderService.Settings settings, DedupMetrics metrics, Map<String, Object> consumerOverrides) {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(settings.jdbcUrl());
    pool.setUsername(settings.jdbcUser());
    pool.setPassword(settings.jdbcPassword());
    pool.setMaximumPoolSize(2);
    pool.setPoolName("natural-key-order-service");
    this.dataSource = new HikariDataSource(pool);
    Flyway.configure().dataSource(dataSource).locations("classpath:db/natural-key-order-service").load().migrate();
    DedupMigrations.migrate(dataSource, DEDUP_SCHEMA);

    this.deadLetterProducer = new KafkaProducer<>(IdempotentProducerConfig.builder()
        .bootstrapServers(settings.bootstrapServers())
        .keySerializer(ByteArraySerializer.class)
        .valueSerializer(ByteArraySerializer.class)
        .build()
        .toMap());
    Map<String, Object> consumerProperties = new HashMap<>(DedupConsumerConfig.builder()
        .bootstrapServers(settings.bootstrapServers())
        .groupId(settings.groupId())
        .build()
        .toMap());
    consumerProperties.putAll(consumerOverrides);
    this.consumer = DedupConsumer.builder(consumerProperties, new StringDeserializer(), new StringDeserializer(),
            dataSource)
        .topics(settings.topic())
        .config(DedupConfig.builder().schema(DEDUP_SCHEMA).metrics(metrics).build())
        .keyStrategy(KeyStrategy.none()) // no claim rows: the order id is the key ...
        .offsetsInDatabase(true) // ... and the offsets stored in the transaction fence redelivery
        .batchHandler(NaturalKeyOrderService::apply)
        .recoverer(Recoverer.deadLetterTopic(deadLetterProducer, new StringSerializer(), new StringSerializer()))
        .build();
  }

  /**
   * The business write of a poll batch, in kafka-dedup's transaction: one insert of every order, of which
   * the database keeps the new ones; then the totals, for the inserted orders only. A malformed record throws
   * (the engine then applies the batch record by record and dead-letters that one).
   */
  static void apply(List<ConsumerRecord<String, String>> records, DedupContext tx) throws SQLException {
    List<OrderPlaced> orders = records.stream().map(r -> OrderPlaced.parse(r.value())).toList();
    SortedMap<String, Long> added = insertNew(tx.connection(), orders);
    addToTotals(tx.connection(), added);
  }

  /**
   * Inserts the orders whose id is not in {@code orders} yet (a re-send within the batch too: the second row
   * with an id conflicts with the first) and returns the amounts they add, per customer.
   */
  private static SortedMap<String, Long> insertNew(Connection c, List<OrderPlaced> orders) throws SQLException {
    String[] ids = new String[orders.size()];
    String[] customers = new String[orders.size()];
    Long[] amounts = new Long[orders.size()];
    for (int i = 0; i < orders.size(); i++) {
      ids[i] = orders.get(i).orderId();
      customers[i] = orders.get(i).customerId();
      amounts[i] = orders.get(i).amountCents();
    }
    SortedMap<String, Long> added = new TreeMap<>(); // sorted: concurrent consumers lock totals in one order
    try (PreparedStatement ps = c.prepareStatement(INSERT_NEW_ORDERS)) {
      ps.setArray(1, c.createArrayOf("text", ids));
      ps.setArray(2, c.createArrayOf("text", customers));
      ps.setArray(3, c.createArrayOf("int8", amounts));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          added.merge(rs.getString(1), rs.getLong(2), Long::sum);
        }
      }
    }
    return added;
  }

  private static void addToTotals(Connection c, SortedMap<String, Long> added) throws SQLException {
    if (added.isEmpty()) {
      return; // every order of the batch was a re-send
    }
    try (PreparedStatement ps = c.prepareStatement(ADD_TO_TOTALS)) {
      ps.setArray(1, c.createArrayOf("text", added.keySet().toArray()));
      ps.setArray(2, c.createArrayOf("int8", added.values().toArray()));
      ps.executeUpdate();
    }
  }

  /**
   * Starts consuming on a thread of its own.
   *
   * @return this
   */
  public NaturalKeyOrderService start() {
    Thread.ofPlatform().name("natural-key-order-service").start(() -> {
      try {
        consumer.run();
      } finally {
        stopped.countDown();
      }
    });
    return this;
  }

  /** Stops after the batch in progress, then releases the producer and the pool. */
  @Override
  public void close() {
    consumer.close();
    deadLetterProducer.close();
    dataSource.close();
  }

  /**
   * Runs the service until SIGTERM or Ctrl-C, with the settings of {@link OrderService#main}.
   *
   * @param args none
   * @throws InterruptedException if interrupted while running
   */
  public static void main(String[] args) throws InterruptedException {
    NaturalKeyOrderService service = new NaturalKeyOrderService(OrderService.Settings.fromEnvironment()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(service::close));
    service.stopped.await();
  }
}
