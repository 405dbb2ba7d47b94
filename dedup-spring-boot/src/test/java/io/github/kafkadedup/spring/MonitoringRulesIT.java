package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupConsumer;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.consumer.Recoverer;
import io.github.kafkadedup.retention.RetentionConfig;
import io.github.kafkadedup.retention.RetentionJob;
import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.Outbox;
import io.github.kafkadedup.outbox.OutboxMetrics;
import io.github.kafkadedup.outbox.OutboxRelay;
import io.github.kafkadedup.producer.IdempotentProducerConfig;
import io.github.kafkadedup.spring.actuate.DedupStoreCheck;
import io.github.kafkadedup.spring.actuate.DedupStoreMeters;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Every meter that the shipped alert rules and dashboard ({@code docs/monitoring}) name is one the code registers:
 * the names come from a Prometheus scrape after the components ran against the real database and broker (a
 * consumer that processes, skips a duplicate and dead-letters, the relay, the retention job, the store gauges, a
 * Kafka consumer's client metrics), and after every method of the metrics sinks was called once (the failure
 * counters register on their first failure).
 */
class MonitoringRulesIT {
  private static final Pattern METER = Pattern.compile("\\b(kafka_(?:dedup|consumer)_[a-z0-9_]+)");
  private static final Path MONITORING = Path.of("..", "docs", "monitoring");

  @Test
  void everyMeterTheRulesAndTheDashboardNameIsRegistered() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (SpringFixture f = new SpringFixture("monitoring")) {
      callEveryMethod(DedupMetrics.class, DedupMetrics.micrometer(registry));
      callEveryMethod(OutboxMetrics.class, OutboxMetrics.micrometer(registry));
      Set<String> registered = scrapedNames(runTheComponents(f, registry));

      List<String> files = List.of("kafka-dedup-alerts.yml", "kafka-dedup-dashboard.json");
      for (String file : files) {
        Set<String> used = new TreeSet<>();
        Matcher m = METER.matcher(Files.readString(MONITORING.resolve(file)));
        while (m.find()) {
          used.add(m.group(1));
        }
        assertThat(used).as("meters named in %s", file).isNotEmpty();
        assertThat(registered).as("the meters the code registers (a scrape), against those %s names", file)
            .containsAll(used);
      }
    }
  }

  /** Runs the components with their meters in {@code registry}; a scrape while they run. */
  private static String runTheComponents(SpringFixture f, PrometheusMeterRegistry registry) throws Exception {
    String out = f.kafka.createTopic("monitoring-out", 1);
    f.send("k1", "fine");
    f.send("k1", "fine"); // a re-send: a duplicate
    f.send("k2", "poison");
    Outbox<String, String> outbox = Outbox.builder(new StringSerializer(), new StringSerializer()).build();
    try (DedupConsumer<String, String> consumer = DedupConsumer.builder(f.kafka.consumerProps(f.group),
            new StringDeserializer(), new StringDeserializer(), f.db.dataSource())
        .topics(f.topic).keyStrategy(KeyStrategy.header()).outbox(outbox)
        .config(DedupConfig.builder().metrics(DedupMetrics.micrometer(registry)).build())
        .recoverer(Recoverer.deadLetterTable(new StringSerializer(), new StringSerializer(), r -> out))
        .recordHandler((r, tx) -> {
          if (r.value().equals("poison")) {
            throw new IllegalStateException("poison");
          }
          tx.send(out, r.key(), r.value());
        }).build();
        OutboxRelay relay = OutboxRelay.builder(f.db.dataSource(),
            IdempotentProducerConfig.builder().bootstrapServers(f.kafka.bootstrapServers()).build())
            .name("monitoring-relay").metrics(OutboxMetrics.micrometer(registry)).build();
        KafkaConsumer<String, String> plain = new KafkaConsumer<>(f.kafka.consumerProps("plain-" + f.group),
            new StringDeserializer(), new StringDeserializer());
        KafkaClientMetrics clientMetrics = new KafkaClientMetrics(plain)) {
      Thread t = new Thread(consumer::run, "monitoring-consumer");
      t.start();
      relay.start();
      await().atMost(Duration.ofSeconds(120)).until(() -> f.count("SELECT count(*) FROM dead_letters") == 1
          && f.count("SELECT count(*) FROM outbox") == 0);
      clientMetrics.bindTo(registry);
      plain.subscribe(List.of(f.topic));
      await().atMost(Duration.ofSeconds(120)).until(() -> {
        plain.poll(Duration.ofMillis(200));
        return registry.scrape().contains("kafka_consumer_fetch_manager_records_lag_max");
      });
      RetentionJob.builder(f.db.dataSource(), RetentionConfig.builder().window(Duration.ofDays(7)).build())
          .meterRegistry(registry).build().runOnce();
      new DedupStoreMeters(new DedupStoreCheck(f.db.dataSource(), DedupSchema.DEFAULT, new DedupStoreCheck.Thresholds(
          Duration.ofMinutes(5), 0, Duration.ofDays(7), Duration.ofHours(1), Duration.ofSeconds(5))),
          Duration.ofSeconds(10)).bindTo(registry);
      return registry.scrape(); // before the Kafka client's meters go with it
    }
  }

  /** Calls every method of {@code sink} once, with a value of each parameter's type. */
  private static <T> void callEveryMethod(Class<T> type, T sink) throws Exception {
    for (Method method : type.getMethods()) {
      if (java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      List<Object> args = new ArrayList<>();
      for (Class<?> p : method.getParameterTypes()) {
        args.add(p == String.class ? "x" : p == int.class ? 1 : p == long.class ? 1L : p == boolean.class ? true
            : p.isEnum() ? p.getEnumConstants()[0] : null);
      }
      method.invoke(sink, args.toArray());
    }
  }

  private static Set<String> scrapedNames(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }
}
