package io.github.kafkadedup.outbox.internal;

import io.github.kafkadedup.outbox.OutboxMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** {@link OutboxMetrics} as Micrometer meters; gauges read values kept here, per relay name. */
public final class MicrometerOutboxMetrics implements OutboxMetrics {
  private final MeterRegistry registry;
  private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

  /** @param registry where the meters go */
  public MicrometerOutboxMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void published(String relay, int count) {
    Counter.builder("kafka.dedup.outbox.published").description("outbox records acknowledged by Kafka")
        .tag("relay", relay).register(registry).increment(count);
  }

  @Override
  public void failure(String relay, String type) {
    Counter.builder("kafka.dedup.outbox.failures").description("outbox relay failures")
        .tag("relay", relay).tag("type", type).register(registry).increment();
  }

  @Override
  public void held(String relay, String kind) {
    Counter.builder("kafka.dedup.outbox.held").description("records the relay can never publish, set aside as held")
        .tag("relay", relay).tag("kind", kind).register(registry).increment();
  }

  @Override
  public void topicSetAside(String relay, String topic) {
    Counter.builder("kafka.dedup.outbox.topic.set.aside")
        .description("topics found missing or not authorised: their outbox rows are set aside until they exist")
        .tag("relay", relay).tag("topic", topic).register(registry).increment();
  }

  @Override
  public void backlog(String relay, long rows, long oldestAgeMillis) {
    gauge("kafka.dedup.outbox.backlog", "unpublished outbox rows in the relay's lanes", relay, 1).set(rows);
    gauge("kafka.dedup.outbox.oldest.age", "age of the oldest unpublished outbox row (seconds)", relay, 1e-3)
        .set(oldestAgeMillis);
  }

  @Override
  public void lanes(String relay, int lanes) {
    gauge("kafka.dedup.outbox.lanes", "outbox lanes the relay owns", relay, 1).set(lanes);
  }

  private AtomicLong gauge(String name, String description, String relay, double scale) {
    return values.computeIfAbsent(name + "|" + relay, k -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(name, value, v -> v.get() * scale).description(description).tag("relay", relay)
          .register(registry);
      return value;
    });
  }
}
