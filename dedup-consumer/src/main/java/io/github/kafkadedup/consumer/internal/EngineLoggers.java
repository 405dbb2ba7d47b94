package io.github.kafkadedup.consumer.internal;

/**
 * The names of the engine's loggers, the ones users configure (docs/spring-boot.md names the processor's) and
 * tests capture: their one home, so internal classes log under the API's names without importing the API types.
 * Each name is the API type's name, as it was when the loggers were created from the classes.
 */
public final class EngineLoggers {
  /** The processor's lines: batches, duplicates (DEBUG), dead-lettered records and sequencing. */
  public static final String PROCESSOR = "io.github.kafkadedup.consumer.DedupProcessor";

  /** The poll loop's lines: start, rebalances, offsets, heartbeats, database outages and stop. */
  public static final String CONSUMER = "io.github.kafkadedup.consumer.DedupConsumer";

  /** The recoverers' lines: records published to a dead-letter topic, or logged and skipped. */
  public static final String RECOVERER = "io.github.kafkadedup.consumer.Recoverer";

  private EngineLoggers() {}
}
