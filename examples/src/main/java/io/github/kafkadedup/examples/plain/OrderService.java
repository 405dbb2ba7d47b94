package io.github.kafkadedup.examples.plain;

import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.DedupContext;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.producer.DedupConsumerConfig;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.flywaydb.core.Flyway;
import org.jooq.Field;
import org.jooq.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain kafka-clients order service: consumes {@link OrderPlaced} events from a topic and records each
 * order and its customer's running total in PostgreSQL, <b>exactly once</b>.
 *
 * <p>The whole integration is the {@link DedupConsumer} built in {@link #OrderService(Settings)}: it polls,
 * claims each record's {@code idempotency-key} header in {@code kafka_dedup.claims} and runs
 * {@link #apply} for fresh records only, all in one database transaction, then commits the offsets. A
 * re-sent or redelivered order never reaches {@link #apply}; a record that cannot be applied goes to
 * {@code <topic>.DLT} and the others go on.
 *
 * <p>Run it with {@link #main}, or embed it: {@code new OrderService(settings).start()}, then
 * {@link #close()}.
 */
public final class OrderService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrderService.class);

  /** kafka-dedup's tables go into a schema of their own, next to the application's tables in public. */
  static final DedupSchema DEDUP_SCHEMA = DedupSchema.of("kafka_dedup");

  // The application's tables, for jOOQ without code generation (a real service would generate them).
  private static final Table<?> ORDERS = table(name("orders"));
  private static final Field<String> ORDER_ID = field(name("order_id"), String.class);
  private static final Field<String> CUSTOMER_ID = field(name("customer_id"), String.class);
  private static final Field<Long> AMOUNT_CENTS = field(name("amount_cents"), Long.class);
  private static final Table<?> CUSTOMER_TOTALS = table(name("customer_totals"));
  private static final Field<Long> TOTAL_CENTS = field(name("total_cents"), Long.class);
  private static final Field<Long> CURRENT_TOTAL = field(name("customer_totals", "total_cents"), Long.class);

  private final HikariDataSource dataSource;
  private final Producer<byte[], byte[]> deadLetterProducer;
  private final DedupConsumer<String, String> consumer;
  private final CountDownLatch stopped = new CountDownLatch(1);

  /**
   * Where the service runs.
   *
   * @param bootstrapServers Kafka's {@code bootstrap.servers}
   * @param jdbcUrl the PostgreSQL database
   * @param jdbcUser its user (needs to create tables the first time: the service migrates at start)
   * @param jdbcPassword its password
   * @param topic the topic of {@link OrderPlaced} events; {@code <topic>.DLT} must exist too
   * @param groupId the consumer group, also the dedup scope
   */
  public record Settings(String bootstrapServers, String jdbcUrl, String jdbcUser, String jdbcPassword,
      String topic, String groupId) {

    /**
     * Settings from the environment: {@code KAFKA_BOOTSTRAP_SERVERS}, {@code JDBC_URL}, ...
     *
     * @return the settings
     */
    public static Settings fromEnvironment() {
      return new Settings(env("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"),
          env("JDBC_URL", "jdbc:postgresql://localhost:5432/orders"), env("JDBC_USER", "postgres"),
          env("JDBC_PASSWORD", ""), env("ORDERS_TOPIC", "orders"), env("GROUP_ID", "order-service"));
    }

    private static String env(String name, String fallback) {
      String value = System.getenv(name);
      return value == null || value.isBlank() ? fallback : value;
    }
  }

  /**
   * Connects, migrates both the application's tables and kafka-dedup's, and builds the consumer.
   *
   * @param settings where to run
   */
  public OrderService(Settings settings) {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(settings.jdbcUrl());
    pool.setUsername(settings.jdbcUser());
    pool.setPassword(settings.jdbcPassword());
    pool.setMaximumPoolSize(2);
    pool.setTransactionIsolation("TRANSACTION_READ_COMMITTED"); // explicit: a cut first connection cannot break it
    pool.setPoolName("order-service");
    this.dataSource = new HikariDataSource(pool);

    // the application's migrations first, then kafka-dedup's (their own schema and history table)
    Flyway.configure().dataSource(dataSource).locations("classpath:db/plain-order-service").load().migrate();
    DedupMigrations.migrate(dataSource, DEDUP_SCHEMA);

    // Dead letters: the idempotent producer preset, byte[] as the recoverer copies the original bytes.
    this.deadLetterProducer = new KafkaProducer<>(IdempotentProducerConfig.builder()
        .bootstrapServers(settings.bootstrapServers())
        .keySerializer(ByteArraySerializer.class)
        .valueSerializer(ByteArraySerializer.class)
        .build()
        .toMap());

    // The consumer preset: auto-commit off, read_committed, cooperative rebalancing, 500 records a poll.
    Map<String, Object> consumerProperties = DedupConsumerConfig.builder()
        .bootstrapServers(settings.bootstrapServers())
        .groupId(settings.groupId())
        .build()
        .toMap();
    this.consumer = DedupConsumer.builder(consumerProperties, new StringDeserializer(), new StringDeserializer(),
            dataSource)
        .topics(settings.topic())
        .config(DedupConfig.builder().schema(DEDUP_SCHEMA).build())
        .keyStrategy(KeyStrategy.header()) // the producer's IdempotencyKeyInterceptor stamps it
        .recordHandler(this::apply)
        .recoverer(Recoverer.deadLetterTopic(deadLetterProducer, new StringSerializer(), new StringSerializer()))
        .build();
  }

  /**
   * The business write, called once per order however often Kafka delivers it. Everything written through
   * {@code tx} commits or rolls back together with the claim of the record's key.
   */
  private void apply(ConsumerRecord<String, String> record, DedupContext tx) {
    OrderPlaced order = OrderPlaced.parse(record.value()); // a malformed record throws: it is dead-lettered
    tx.dsl().insertInto(ORDERS, ORDER_ID, CUSTOMER_ID, AMOUNT_CENTS)
        .values(order.orderId(), order.customerId(), order.amountCents())
        .execute();
    tx.dsl().insertInto(CUSTOMER_TOTALS, CUSTOMER_ID, TOTAL_CENTS)
        .values(order.customerId(), order.amountCents())
        .onConflict(CUSTOMER_ID)
        .doUpdate().set(TOTAL_CENTS, CURRENT_TOTAL.plus(excluded(TOTAL_CENTS)))
        .execute();
    log.debug("order {} applied for customer {}", order.orderId(), order.customerId());
  }

  /**
   * Starts consuming on a thread of its own.
   *
   * @return this
   */
  public OrderService start() {
    Thread.ofPlatform().name("order-service").start(() -> {
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
   * Runs the service until SIGTERM or Ctrl-C. Settings from the environment: {@code KAFKA_BOOTSTRAP_SERVERS}
   * (default {@code localhost:9092}), {@code JDBC_URL} ({@code jdbc:postgresql://localhost:5432/orders}),
   * {@code JDBC_USER} ({@code postgres}), {@code JDBC_PASSWORD}, {@code ORDERS_TOPIC} ({@code orders}),
   * {@code GROUP_ID} ({@code order-service}).
   *
   * @param args none
   * @throws InterruptedException if interrupted while running
   */
  public static void main(String[] args) throws InterruptedException {
    OrderService service = new OrderService(Settings.fromEnvironment()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(service::close));
    service.stopped.await();
  }
}
