package io.github.kafkadedup.consumer.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * The poll loop's way out of a database outage ({@link DatabaseOutage}): past the bound it unsubscribes (the
 * partitions go back to the group; the rebalance callback commits what is owed first), probes the database
 * every {@link #PROBE_INTERVAL} and subscribes again when it answers.
 */
final class OutageExit {
  /** How often a consumer outside the group for lack of database probes it. */
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);

  private final DatabaseOutage outage;
  private final DataSource dataSource;
  private final Consumer<?, ?> consumer;
  private final Runnable subscribe;
  private boolean away;

  OutageExit(DatabaseOutage outage, DataSource dataSource, Consumer<?, ?> consumer, Runnable subscribe) {
    this.outage = outage;
    this.dataSource = dataSource;
    this.consumer = consumer;
    this.subscribe = subscribe;
  }

  /** Whether the loop is outside the group, waiting for its database. */
  boolean away() {
    return away;
  }

  boolean isUnavailable() {
    return outage.isUnavailable();
  }

  /** Notes a database failure; past the bound gives the partitions back and returns true. */
  boolean failed(Exception failure) {
    if (!outage.failed(failure)) {
      return false;
    }
    consumer.unsubscribe();
    away = true;
    return true;
  }

  /** A batch committed: the episode, if any, is over. */
  void worked() {
    outage.recovered();
  }

  /** Waits one probe interval (or until {@code closing}), then probes; subscribes again if the database answers. */
  void probe(BooleanSupplier closing) {
    long until = System.nanoTime() + PROBE_INTERVAL.toNanos();
    try {
      while (!closing.getAsBoolean() && System.nanoTime() - until < 0) {
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (!closing.getAsBoolean() && DatabaseOutage.probe(dataSource)) {
      outage.recovered();
      away = false;
      subscribe.run();
    }
  }
}
