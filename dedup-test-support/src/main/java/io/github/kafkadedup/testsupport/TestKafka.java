package io.github.kafkadedup.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The Kafka broker of this test JVM, started on first use and shared; tests use
 * {@link #createTopic(String, int) unique topics}.
 *
 * <ul>
 *   <li>{@code DEDUP_TEST_KAFKA_BOOTSTRAP}: an external broker.
 *   <li>{@code DEDUP_TEST_INFRA=testcontainers}: an {@code apache/kafka} container (Docker required).
 *   <li>otherwise: a real in-process KRaft broker (spring-kafka-test's {@code EmbeddedKafkaKraftBroker}).
 * </ul>
 */
public final class TestKafka {
  private static final Logger log = LoggerFactory.getLogger(TestKafka.class);
  private static TestKafka instance;

  private final String bootstrapServers;
  private final String description;
  private Admin admin;

  private TestKafka(String bootstrapServers, String description) {
    this.bootstrapServers = bootstrapServers;
    this.description = description;
  }

  /** The broker of this JVM, started on first call. */
  public static synchronized TestKafka get() {
    if (instance == null) {
      instance = start();
      instance.ping();
      log.info("test Kafka: {}", instance.description);
    }
    return instance;
  }

  private static TestKafka start() {
    return switch (InfraMode.select("DEDUP_TEST_KAFKA_BOOTSTRAP")) {
      case EXTERNAL -> {
        String servers = InfraMode.env("DEDUP_TEST_KAFKA_BOOTSTRAP");
        yield new TestKafka(servers, "external " + servers);
      }
      case TESTCONTAINERS -> {
        InfraMode.requireDocker();
        var container = new org.testcontainers.kafka.KafkaContainer("apache/kafka:4.2.1");
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
        yield new TestKafka(container.getBootstrapServers(), "testcontainers " + container.getBootstrapServers());
      }
      case EMBEDDED -> embedded();
    };
  }

  private static TestKafka embedded() {
    try {
      EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
      broker.brokerProperties(brokerDefaults());
      broker.afterPropertiesSet();
      Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy));
      return new TestKafka(broker.getBrokersAsString(), "embedded KRaft " + broker.getBrokersAsString());
    } catch (RuntimeException e) {
      throw new InfraException("the in-process Kafka broker could not start: " + e
          + ". Set DEDUP_TEST_KAFKA_BOOTSTRAP to use an external broker instead.", e);
    }
  }

  /** Broker settings for a single fast test broker (also used by {@link KafkaBrokerProcess}). */
  static Map<String, String> brokerDefaults() {
    Map<String, String> props = new HashMap<>();
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "5");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("min.insync.replicas", "1");
    props.put("auto.create.topics.enable", "false");
    props.put("group.consumer.min.session.timeout.ms", "3000");
    props.put("group.consumer.session.timeout.ms", "6000");
    props.put("group.consumer.min.heartbeat.interval.ms", "500");
    props.put("group.consumer.heartbeat.interval.ms", "1000");
    props.put("group.min.session.timeout.ms", "1000");
    // a single broker on a busy 2-core machine must not fence itself when a heartbeat is late
    props.put("broker.session.timeout.ms", "30000");
    props.put("broker.heartbeat.interval.ms", "2000");
    return props;
  }

  /** The {@code bootstrap.servers} value. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Where the tests' Kafka runs. */
  public String describe() {
    return description;
  }

  /** Creates a topic with a unique name derived from {@code hint} and waits until it accepts writes. */
  public String createTopic(String hint, int partitions) {
    String name = hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-") + "-"
        + UUID.randomUUID().toString().substring(0, 8);
    createTopic(name, partitions, Map.of());
    return name;
  }

  /** Creates a topic with exactly this name and these topic configs; waits until it accepts writes. */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    try {
      admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
          .all().get(Readiness.BOUND.toSeconds(), TimeUnit.SECONDS);
      awaitLeaders(admin(), name, partitions);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InfraException("interrupted creating topic " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new InfraException("could not create topic " + name + " on " + description + " and see its "
          + partitions + " partition leaders answer (bound " + Readiness.BOUND + "): " + e, e);
    }
  }

  /**
   * Waits until the leader of each of the topic's partitions answers for it (ListOffsets), so that the first
   * produce requests cannot meet a leader that has not applied the topic yet: with several requests in
   * flight an idempotent producer then loses a batch on brokers before Kafka 4.5 (KAFKA-15591; the library's
   * {@code TopicReadiness} does the same for applications).
   */
  public static void awaitLeaders(Admin admin, String topic, int partitions)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + Readiness.BOUND.toNanos();
    while (true) {
      try {
        admin.listOffsets(latest).all().get(Readiness.BOUND.toSeconds(), TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  /** A shared admin client for this broker. */
  public synchronized Admin admin() {
    if (admin == null) {
      admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }
    return admin;
  }

  /** Producer properties: String keys and values, idempotent, acks=all. */
  public Map<String, Object> producerProps() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return props;
  }

  /** Producer properties with byte[] keys and values (for bad-input tests). */
  public Map<String, Object> bytesProducerProps() {
    Map<String, Object> props = producerProps();
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return props;
  }

  /** Consumer properties for a dedup consumer: String keys and values, no auto-commit, read_committed. */
  public Map<String, Object> consumerProps(String groupId) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return props;
  }

  /** Like {@link #consumerProps(String)} with byte[] keys and values. */
  public Map<String, Object> bytesConsumerProps(String groupId) {
    Map<String, Object> props = consumerProps(groupId);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return props;
  }

  /**
   * Reads {@code topic} from the beginning (e.g. a DLT) with a new group until {@code expected} records
   * arrived or 30 s passed, then polls 500 ms more so that more records than expected show up too.
   */
  public List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(consumerProps("reader-" + UUID.randomUUID()), new StringDeserializer(),
        new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      consumer.poll(Duration.ofMillis(500)).forEach(out::add);
    }
    return out;
  }

  private void ping() {
    try {
      admin().describeCluster().nodes().get(Readiness.BOUND.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InfraException("interrupted reaching Kafka at " + bootstrapServers, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new InfraException("the test Kafka at " + description + " did not answer describeCluster within "
          + Readiness.BOUND + ": " + e, e);
    }
  }
}
