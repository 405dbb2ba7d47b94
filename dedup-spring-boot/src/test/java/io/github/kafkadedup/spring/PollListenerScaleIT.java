package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The acceptance test for record listeners batched per poll: 10,000 records, 10 % of them re-sends of
 * an earlier message, one poison record per 1,000; a record {@code @KafkaListener} with the application's own
 * {@code DefaultErrorHandler} and {@code DeadLetterPublishingRecoverer}.
 */
class PollListenerScaleIT {
  private static final int RECORDS = 10_000;

  @Test
  void everyEffectOnceThePoisonRecordsInTheDltAndTheOffsetsAtTheEnd() {
    try (SpringFixture f = new SpringFixture("spring-poll-10k")) {
      Random random = new Random(15);
      List<String[]> input = new ArrayList<>(RECORDS);
      List<String> healthyKeys = new ArrayList<>();
      int poison = 0;
      for (int i = 0; i < RECORDS; i++) {
        if (i % 10 == 9 && !healthyKeys.isEmpty()) {
          String again = healthyKeys.get(random.nextInt(healthyKeys.size())); // a re-send of an earlier message
          input.add(new String[] {again, "ok-again-" + i});
        } else if (i % 1000 == 500) {
          input.add(new String[] {"key-" + i, "poison-" + i});
          poison++;
        } else {
          input.add(new String[] {"key-" + i, "ok-" + i});
          healthyKeys.add("key-" + i);
        }
      }
      f.sendAll(input);
      ConfigurableApplicationContext app = f.start(PollListenerIT.PollApp.class);

      List<ConsumerRecord<String, String>> dlt = f.deadLetters(poison);
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
          .until(() -> f.committed() == RECORDS);

      assertThat(poison).isEqualTo(10);
      assertThat(dlt).hasSize(poison).allSatisfy(r -> assertThat(r.value()).startsWith("poison-"));
      assertThat(f.count("SELECT count(*) FROM orders")).isEqualTo(healthyKeys.size());
      assertThat(f.count("SELECT count(DISTINCT order_key) FROM orders")).isEqualTo(healthyKeys.size());
      assertThat(f.count("SELECT count(*) FROM orders WHERE order_key NOT LIKE 'key-%'")).isZero();
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'P'")).isEqualTo(healthyKeys.size());
      assertThat(f.count("SELECT count(*) FROM claims WHERE status = 'D'")).isEqualTo(poison);
      assertThat(f.count("SELECT count(DISTINCT payload) FROM orders")).isLessThan(RECORDS / 20);
      assertThat(app.getBean(io.micrometer.core.instrument.MeterRegistry.class).get("kafka.dedup.duplicates")
          .tag("cause", "resend").counter().count()).isEqualTo(RECORDS - healthyKeys.size() - poison);
    }
  }
}
