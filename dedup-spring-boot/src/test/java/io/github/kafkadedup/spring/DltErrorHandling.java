package io.github.kafkadedup.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * What the test services share: a {@code DefaultErrorHandler} retrying 4 times with exponential back-off,
 * then publishing to the {@code -dlt} topic, and a meter registry to read the library's counters from.
 */
@Configuration(proxyBeanMethods = false)
class DltErrorHandling {

  @Bean
  MeterRegistry meterRegistry() {
    return new SimpleMeterRegistry();
  }

  @Bean
  DefaultErrorHandler errorHandler(KafkaTemplate<?, ?> template) {
    ExponentialBackOff backOff = new ExponentialBackOff(100, 2.0);
    backOff.setJitter(50);
    backOff.setMaxAttempts(4);
    return new DefaultErrorHandler(new DeadLetterPublishingRecoverer(template), backOff);
  }

  /** The exception message the recoverer stored in a dead letter's header, or "". */
  static String exceptionMessage(ConsumerRecord<?, ?> deadLetter) {
    Header h = deadLetter.headers().lastHeader("kafka_dlt-exception-message");
    return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }
}
