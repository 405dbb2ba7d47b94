package io.github.kafkadedup.examples.spring;

import io.github.kafkadedup.producer.DedupConsumerConfig;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * A Spring Boot order service whose {@code @KafkaListener} ({@link OrderListener}) is exactly-once: with
 * {@code dedup-spring-boot} on the class path, every listener container is decorated so that each record's
 * idempotency key is claimed in the same Spring-managed database transaction as the listener's
 * {@code JdbcTemplate} writes, and a duplicate never reaches the method. See {@code application.yml} for
 * every {@code dedup.*} property.
 *
 * <p>Besides the dependency, the application declares only what any Kafka application declares: its consumer
 * and producer factories (here from kafka-dedup's presets) and its error handler.
 */
@SpringBootApplication
public class SpringOrderServiceApplication {

  /** Created by Spring. */
  public SpringOrderServiceApplication() {}

  /**
   * Starts the service.
   *
   * @param args Spring Boot arguments, e.g. {@code --spring.kafka.bootstrap-servers=kafka:9092}
   */
  public static void main(String[] args) {
    SpringApplication.run(SpringOrderServiceApplication.class, args);
  }

  /**
   * The listener containers' consumers: kafka-dedup's consumer preset (auto-commit off, read_committed,
   * cooperative rebalancing, 500 records a poll), with the servers and group id of {@code spring.kafka.*}.
   */
  @Bean
  ConsumerFactory<Object, Object> kafkaConsumerFactory(KafkaProperties kafka) {
    return new DefaultKafkaConsumerFactory<>(DedupConsumerConfig.builder()
        .bootstrapServers(String.join(",", kafka.getBootstrapServers()))
        .groupId(kafka.getConsumer().getGroupId())
        .keyDeserializer(StringDeserializer.class)
        .valueDeserializer(StringDeserializer.class)
        .build()
        .toMap());
  }

  /**
   * The producer behind Boot's {@code KafkaTemplate} (used here for dead letters): kafka-dedup's idempotent
   * preset, whose interceptor also stamps an {@code idempotency-key} on everything this service publishes.
   */
  @Bean
  ProducerFactory<Object, Object> kafkaProducerFactory(KafkaProperties kafka) {
    return new DefaultKafkaProducerFactory<>(IdempotentProducerConfig.builder()
        .bootstrapServers(String.join(",", kafka.getBootstrapServers()))
        .keySerializer(StringSerializer.class)
        .valueSerializer(StringSerializer.class)
        .build()
        .toMap());
  }

  /**
   * Spring Kafka's error handling, unchanged by kafka-dedup: a record that fails is retried with this
   * back-off, then published to {@code <topic>-dlt}. With {@code dedup.retry-only-transient=true} only
   * transient database failures are retried; a malformed order goes to the DLT at once. Boot applies this
   * bean to its listener container factory.
   */
  @Bean
  DefaultErrorHandler errorHandler(KafkaTemplate<Object, Object> template) {
    ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
    backOff.setMaxInterval(5_000);
    backOff.setMaxElapsedTime(60_000);
    return new DefaultErrorHandler(new DeadLetterPublishingRecoverer(template), backOff);
  }
}
