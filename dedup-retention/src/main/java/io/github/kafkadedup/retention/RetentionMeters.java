package io.github.kafkadedup.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The retention job's Micrometer meters, tagged {@code scope} ({@code *} for every scope). Loaded only
 * when a registry is given, so micrometer-core stays optional. Gauges read values that each run sets;
 * they are {@code NaN} until the first run that found out.
 */
public final class RetentionMeters {
  private final MeterRegistry registry;
  private final String scope;
  private final Counter deleted;
  private final Timer runs;
  private final AtomicLong oldestKeyAgeSeconds = new AtomicLong(-1);
  private final AtomicLong oldestRecordAgeSeconds = new AtomicLong(-1);
  private final Map<String, AtomicLong> topicRetentionSeconds = new ConcurrentHashMap<>();

  /**
   * @param registry where the meters go
   * @param scope the scope tag
   */
  // Micrometer is optional (requires static): a caller of this constructor has it on its path already
  @SuppressWarnings("exports")
  public RetentionMeters(MeterRegistry registry, String scope) {
    this.registry = registry;
    this.scope = scope;
    this.deleted = Counter.builder("kafka.dedup.retention.deleted").description("expired keys deleted")
        .tag("scope", scope).register(registry);
    this.runs = Timer.builder("kafka.dedup.retention.run").description("one retention run")
        .tag("scope", scope).register(registry);
    gauge("kafka.dedup.retention.oldest.key.age", "age of the start of the oldest live generation of claims",
        oldestKeyAgeSeconds, Map.of());
    gauge("kafka.dedup.retention.oldest.record.age", "age of the oldest record still in the topics",
        oldestRecordAgeSeconds, Map.of());
  }

  private void gauge(String name, String description, AtomicLong value, Map<String, String> tags) {
    Gauge.Builder<AtomicLong> builder = Gauge.builder(name, value, v -> v.get() < 0 ? Double.NaN : v.get())
        .description(description).baseUnit("seconds").tag("scope", scope);
    tags.forEach(builder::tag);
    builder.register(registry);
  }

  /** One run's outcome. */
  public void run(long rows, Duration took) {
    deleted.increment(rows);
    runs.record(took);
  }

  /** The oldest key's age, or {@code null} when the table is empty. */
  public void oldestKeyAge(@Nullable Duration age) {
    oldestKeyAgeSeconds.set(age == null ? -1 : age.toSeconds());
  }

  /** The oldest replayable record's age, or {@code null} when unknown. */
  public void oldestRecordAge(@Nullable Duration age) {
    oldestRecordAgeSeconds.set(age == null ? -1 : age.toSeconds());
  }

  /** A topic's {@code retention.ms} ({@code -1}: forever, shown as +Infinity). */
  public void topicRetention(String topic, long retentionMs) {
    AtomicLong value = topicRetentionSeconds.computeIfAbsent(topic, t -> {
      AtomicLong created = new AtomicLong();
      Gauge.builder("kafka.dedup.retention.topic.retention", created,
              v -> v.get() == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : v.get())
          .description("retention.ms of a subscribed topic").baseUnit("seconds")
          .tag("scope", scope).tag("topic", t).register(registry);
      return created;
    });
    value.set(retentionMs < 0 ? Long.MAX_VALUE : retentionMs / 1000);
  }
}
