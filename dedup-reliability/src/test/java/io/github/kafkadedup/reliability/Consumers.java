package io.github.kafkadedup.reliability;

import io.github.kafkadedup.consumer.BatchHandler;
import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * In-process {@link DedupConsumer}s of one scenario, each on a thread of its own, as the runtime role,
 * writing {@code shop.effects} and dead-lettering to {@code <topic>.DLT}. A consumer loop that dies with
 * an exception is recorded ({@link #failures()}); the scenarios assert there is none.
 */
final class Consumers implements AutoCloseable {
  private final ReliabilityDb db;
  private final String bootstrapServers;
  private final String topic;
  private final String group;
  private final DataSource pool;
  private final Producer<byte[], byte[]> dltProducer;
  private final Map<String, DedupConsumer<String, String>> running = new LinkedHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();

  Consumers(ReliabilityDb db, String bootstrapServers, String topic, String group, int poolSize) {
    this.db = db;
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.group = group;
    this.pool = db.appPool(poolSize);
    this.dltProducer = new KafkaProducer<>(producerProps(bootstrapServers), new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /** Consumer properties of every scenario consumer (a SIGKILLed or evicted member leaves within 6 s). */
  static Map<String, Object> consumerProps(String bootstrapServers, String group) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
    return props;
  }

  /** Producer properties for the dead-letter producers: idempotent, acks=all. */
  static Map<String, Object> producerProps(String bootstrapServers) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return props;
  }

  /** The runtime role's pool the consumers share. */
  DataSource pool() {
    return pool;
  }

  /** Starts a consumer named {@code name} with the standard handler and settings. */
  DedupConsumer<String, String> start(String name) {
    return start(name, Map.of(), new EffectsHandler(name), false);
  }

  /**
   * Starts a consumer.
   *
   * @param overrides consumer properties on top of {@link #consumerProps}
   * @param offsetsInDatabase whether offsets are stored in PostgreSQL too
   */
  DedupConsumer<String, String> start(String name, Map<String, Object> overrides,
      BatchHandler<String, String> handler, boolean offsetsInDatabase) {
    return start(name, overrides, handler, offsetsInDatabase, db.config().build());
  }

  /** Like {@link #start(String, Map, BatchHandler, boolean)} with engine settings of its own. */
  synchronized DedupConsumer<String, String> start(String name, Map<String, Object> overrides,
      BatchHandler<String, String> handler, boolean offsetsInDatabase, DedupConfig config) {
    Map<String, Object> props = consumerProps(bootstrapServers, group);
    props.putAll(overrides);
    if ("consumer".equalsIgnoreCase(String.valueOf(props.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG)))) {
      // the new protocol takes both from the broker (group.consumer.session.timeout.ms: 6 s on the test broker)
      props.remove(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
      props.remove(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
    }
    DedupConsumer<String, String> consumer = DedupConsumer.builder(props, new StringDeserializer(),
            new StringDeserializer(), pool)
        .topics(topic).config(config).keyStrategy(KeyStrategy.header()).batchHandler(handler)
        .recoverer(Recoverer.deadLetterTopic(dltProducer, new StringSerializer(), new StringSerializer()))
        .offsetsInDatabase(offsetsInDatabase).build();
    running.put(name, consumer);
    threads.add(Thread.ofPlatform().name("consumer-" + name).start(() -> {
      try {
        consumer.run();
      } catch (RuntimeException | Error e) {
        failures.add(name + ": " + e);
        e.printStackTrace(System.out);
      }
    }));
    return consumer;
  }

  /** Closes consumer {@code name} (it leaves the group after its batch in progress). */
  void stop(String name) {
    DedupConsumer<String, String> consumer;
    synchronized (this) {
      consumer = running.remove(name);
    }
    if (consumer != null) {
      consumer.close();
    }
  }

  synchronized List<String> names() {
    return List.copyOf(running.keySet());
  }

  /** Consumer loops that ended with an exception. */
  List<String> failures() {
    return List.copyOf(failures);
  }

  @Override
  public void close() {
    names().forEach(this::stop);
    for (Thread t : threads) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    dltProducer.close();
  }
}
