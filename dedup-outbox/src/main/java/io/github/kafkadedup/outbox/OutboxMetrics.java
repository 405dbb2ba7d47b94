package io.github.kafkadedup.outbox;

import io.github.kafkadedup.outbox.internal.MicrometerOutboxMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What an {@link OutboxRelay} reports, tagged with the relay's name. Every method has a no-op default.
 */
public interface OutboxMetrics {
  /**
   * Records acknowledged by Kafka (and then deleted from the outbox).
   *
   * @param relay the relay's name
   * @param count how many
   */
  default void published(String relay, int count) {}

  /**
   * A failure: {@code publish} (Kafka refused or timed out), {@code database} (the relay's connection),
   * {@code relay} (anything else; the relay starts over with a new producer and connection).
   *
   * @param relay the relay's name
   * @param type the kind of failure
   */
  default void failure(String relay, String type) {}

  /**
   * A record the relay can never publish (too large for its producer, invalid) was set aside as a
   * {@code held} dead letter instead of blocking its lane.
   *
   * @param relay the relay's name
   * @param kind {@code dead-letter} (a dead letter's copy for the dead-letter topic) or {@code outbox} (any
   *     other outbox row, moved to the dead-letter table)
   */
  default void held(String relay, String kind) {}

  /**
   * A topic that does not exist (or that the relay may not write) was found in the outbox: its rows are set aside
   * (they stay in the outbox and go out once it can be written) instead of blocking the other topics. Once per
   * topic per episode.
   *
   * @param relay the relay's name
   * @param topic the topic
   */
  default void topicSetAside(String relay, String topic) {}

  /**
   * The unpublished rows in the relay's lanes, measured every few seconds.
   *
   * @param relay the relay's name
   * @param rows how many rows wait
   * @param oldestAgeMillis age of the oldest waiting row (0 if none)
   */
  default void backlog(String relay, long rows, long oldestAgeMillis) {}

  /**
   * The number of lanes the relay owns now.
   *
   * @param relay the relay's name
   * @param lanes how many
   */
  default void lanes(String relay, int lanes) {}

  /** @return metrics that record nothing */
  static OutboxMetrics none() {
    return new OutboxMetrics() {};
  }

  /**
   * Micrometer meters: counters {@code kafka.dedup.outbox.published}, {@code kafka.dedup.outbox.failures}
   * (tag {@code type}), {@code kafka.dedup.outbox.held} (tag {@code kind}),
   * {@code kafka.dedup.outbox.topic.set.aside} (tag {@code topic}: episodes of a missing or unauthorised topic), gauges {@code kafka.dedup.outbox.backlog}, {@code kafka.dedup.outbox.oldest.age}
   * (seconds) and {@code kafka.dedup.outbox.lanes}; all tagged {@code relay}. Needs micrometer-core.
   *
   * @param registry where the meters go
   * @return the metrics
   */
  // Micrometer is optional (requires static): a caller of this method has it on its path already
  @SuppressWarnings("exports")
  static OutboxMetrics micrometer(MeterRegistry registry) {
    return new MicrometerOutboxMetrics(registry);
  }
}
