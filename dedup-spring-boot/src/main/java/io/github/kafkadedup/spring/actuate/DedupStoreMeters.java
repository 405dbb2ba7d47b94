package io.github.kafkadedup.spring.actuate;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Gauges of what only the database knows, for alert rules: {@code kafka.dedup.store.up} (1 when the claim
 * store answers), {@code kafka.dedup.store.outbox.rows} and {@code .outbox.oldest.age} (seconds),
 * {@code kafka.dedup.store.dead.letters} per {@code state} (pending, published, held) and
 * {@code kafka.dedup.store.retention.behind} (seconds past the dedup window; NaN when the window is unknown).
 * One check of the store serves every gauge of a scrape: it is read again only when older than {@code maxAge}.
 */
public final class DedupStoreMeters implements MeterBinder {
  private final DedupStoreCheck check;
  private final long maxAgeNanos;
  private DedupStoreCheck.@Nullable Result last;
  private long lastAt;

  /**
   * @param check reads the store
   * @param maxAge how long one reading serves the gauges
   */
  public DedupStoreMeters(DedupStoreCheck check, Duration maxAge) {
    this.check = Objects.requireNonNull(check, "check");
    this.maxAgeNanos = maxAge.toNanos();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(registry, "kafka.dedup.store.up", "1 when the claim store answers, 0 when it does not", null,
        r -> r.reachable() ? 1 : 0);
    gauge(registry, "kafka.dedup.store.outbox.rows", "outbox rows waiting for a relay", null,
        r -> number(r, "outbox", "rows"));
    gauge(registry, "kafka.dedup.store.outbox.oldest.age", "age of the oldest outbox row waiting for a relay",
        "seconds", r -> number(r, "outbox", "oldestAgeSeconds"));
    for (String state : List.of("pending", "published", "held")) {
      Gauge.builder("kafka.dedup.store.dead.letters", this, m -> m.read(r -> number(r, "deadLetters", state)))
          .description("dead letters waiting for an operator, by state").tag("state", state).register(registry);
    }
    gauge(registry, "kafka.dedup.store.retention.behind",
        "how long past the dedup window the oldest live generation of claims ended", "seconds",
        r -> number(r, "retention", "behindSeconds"));
  }

  private void gauge(MeterRegistry registry, String name, String description, @Nullable String unit,
      ToDoubleFunction<DedupStoreCheck.Result> value) {
    Gauge.builder(name, this, m -> m.read(value)).description(description).baseUnit(unit).register(registry);
  }

  private synchronized double read(ToDoubleFunction<DedupStoreCheck.Result> value) {
    long now = System.nanoTime();
    if (last == null || now - lastAt > maxAgeNanos) {
      last = check.check();
      lastAt = now;
    }
    return value.applyAsDouble(last);
  }

  private static double number(DedupStoreCheck.Result r, String section, String field) {
    return r.details().get(section) instanceof Map<?, ?> map && map.get(field) instanceof Number n
        ? n.doubleValue() : Double.NaN;
  }
}
