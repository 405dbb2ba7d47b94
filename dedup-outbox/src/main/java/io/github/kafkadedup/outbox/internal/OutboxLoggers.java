package io.github.kafkadedup.outbox.internal;

/**
 * The name of the outbox module's logger, the one users configure and tests capture: its one home, so internal
 * classes log under the API's name without importing the API type for it.
 */
public final class OutboxLoggers {
  /** The relay's lines: start, lanes, publishing failures, missing topics and stop (the name of the API type). */
  public static final String RELAY = "io.github.kafkadedup.outbox.OutboxRelay";

  private OutboxLoggers() {}
}
