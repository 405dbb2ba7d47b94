package io.github.kafkadedup.reliability;

import io.github.kafkadedup.consumer.DedupMetrics;
import java.util.Locale;

/**
 * The fault-injection switch of {@link ChildConsumerMain}: halts the JVM (like SIGKILL: no shutdown hooks,
 * no finally blocks, the sockets just close) at a named point of the engine's path, once at least
 * {@code afterRecords} records have reached that point. It hooks into {@link DedupMetrics}, which the
 * engine calls at exactly these points, so the child runs the unmodified {@code DedupConsumer}:
 *
 * <ul>
 *   <li>{@link Point#BEFORE_CLAIM}: {@code batch()}, a polled batch before any database work;
 *   <li>{@link Point#AFTER_CLAIM}: {@code claim()}, inside the transaction after the keys were claimed,
 *       before the handler and the database commit (the transaction must roll back);
 *   <li>{@link Point#AFTER_DB_COMMIT}: {@code processed()}, after the database commit and before the
 *       Kafka offset commit (the records will be redelivered and must be skipped).
 * </ul>
 */
final class HaltSwitch implements DedupMetrics {
  /** Where to halt. */
  enum Point {
    NONE, BEFORE_CLAIM, AFTER_CLAIM, AFTER_DB_COMMIT;

    static Point parse(String text) {
      return valueOf(text.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  static final String HALTED = "HALT-INJECTED";

  private final Point point;
  private final long afterRecords;
  private long polled;
  private long claimed;
  private long processed;

  HaltSwitch(Point point, long afterRecords) {
    this.point = point;
    this.afterRecords = afterRecords;
  }

  @Override
  public synchronized void batch(String scope, int records) {
    polled += records;
    haltIf(Point.BEFORE_CLAIM, polled);
  }

  @Override
  public synchronized void claim(String scope, int keys, long nanos) {
    claimed += keys;
    haltIf(Point.AFTER_CLAIM, claimed);
  }

  @Override
  public synchronized void processed(String scope, int count) {
    processed += count;
    haltIf(Point.AFTER_DB_COMMIT, processed);
  }

  private void haltIf(Point here, long count) {
    if (point == here && count >= afterRecords) {
      System.out.println(HALTED + " " + here.label() + " after " + count + " records");
      System.out.flush();
      Runtime.getRuntime().halt(137);
    }
  }
}
