package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.DuplicateCause;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link DedupMetrics} as Micrometer meters; meters are looked up (and cached) by the registry. */
public final class MicrometerDedupMetrics implements DedupMetrics {
  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> unavailable = new ConcurrentHashMap<>();

  /** @param registry where the meters go */
  public MicrometerDedupMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void processed(String scope, int count) {
    Counter.builder("kafka.dedup.records.processed").description("records applied exactly once")
        .tag("scope", scope).register(registry).increment(count);
  }

  @Override
  public void duplicates(String scope, DuplicateCause cause, int count) {
    Counter.builder("kafka.dedup.duplicates").description("duplicates recognised")
        .tag("scope", scope).tag("cause", cause.name().toLowerCase(java.util.Locale.ROOT))
        .register(registry).increment(count);
  }

  @Override
  public void deadLettered(String scope, DedupException.Kind kind) {
    Counter.builder("kafka.dedup.dead.lettered").description("records handed to the recoverer")
        .tag("scope", scope).tag("kind", kind.name()).register(registry).increment();
  }

  @Override
  public void failure(String scope, String type) {
    Counter.builder("kafka.dedup.failures").description("failed transaction attempts")
        .tag("scope", scope).tag("type", type).register(registry).increment();
  }

  @Override
  public void claim(String scope, int keys, long nanos) {
    Timer.builder("kafka.dedup.claim.latency").description("one claim round trip")
        .tag("scope", scope).register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void batch(String scope, int records) {
    DistributionSummary.builder("kafka.dedup.batch.size").description("records per poll batch")
        .tag("scope", scope).register(registry).record(records);
  }

  @Override
  public void offsetCommitFailed(String scope, String exception) {
    Counter.builder("kafka.dedup.offset.commit.failures")
        .description("Kafka offset commits that failed after the database commit (retried after the next poll)")
        .tag("scope", scope).tag("exception", exception).register(registry).increment();
  }

  @Override
  public void deadLetterReduced(String scope, String reason) {
    Counter.builder("kafka.dedup.dead.letter.reduced")
        .description("dead-letter copies reduced to headers because the full copy could never be sent")
        .tag("scope", scope).tag("reason", reason).register(registry).increment();
  }

  @Override
  public void databaseUnavailable(String scope, boolean value) {
    unavailable.computeIfAbsent(scope, s -> registry.gauge("kafka.dedup.database.unavailable",
        List.of(Tag.of("scope", s)), new AtomicInteger())).set(value ? 1 : 0);
  }
}
