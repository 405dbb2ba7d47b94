package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.internal.DatabaseOutage;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * A listener container's episodes without a database ({@link DatabaseOutage}): the adapters report each transient
 * failure and each success; when an episode passes its bound, the container is stopped on a thread of its own
 * (its consumers leave the group, so another instance takes the partitions; the error handler's retries would
 * otherwise hold them for as long as the database is away), the database is probed every
 * {@link #PROBE_INTERVAL}, and the container is started again when it answers.
 */
final class ContainerDatabaseWatch {
  /** How often a stopped container's database is probed. */
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(DedupListeners.class);

  private final DatabaseOutage outage;
  private final MessageListenerContainer container;
  private final DataSource dataSource;
  private final String scope;
  private volatile boolean closed;

  ContainerDatabaseWatch(DatabaseOutage outage, MessageListenerContainer container, DataSource dataSource,
      String scope) {
    this.outage = outage;
    this.container = container;
    this.dataSource = dataSource;
    this.scope = scope;
  }

  /** Whether the container waits for its database outside the group. */
  boolean isUnavailable() {
    return outage.isUnavailable();
  }

  /** A transaction of the container failed with {@code failure}; transient ones count toward the bound. */
  void failed(Throwable failure) {
    if (FailureClass.isTransient(failure) && outage.failed(failure)) {
      Thread.ofPlatform().daemon().name("dedup-database-watch-" + scope).start(this::stopUntilDatabaseAnswers);
    }
  }

  /** A transaction of the container committed. */
  void worked() {
    if (outage.isUnavailable()) {
      return; // a consumer thread finishing while the container stops: the probe decides
    }
    outage.recovered();
  }

  /** Stops the watch: a container stopped for lack of database is not started again. */
  void close() {
    closed = true;
  }

  private void stopUntilDatabaseAnswers() {
    container.stop(); // the consumers close: their partitions go back to the group
    try {
      while (!closed && !DatabaseOutage.probe(dataSource)) {
        Thread.sleep(PROBE_INTERVAL.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (!closed) {
      outage.recovered();
      container.start();
    } else {
      log.info("[{}] closing: the container stopped for lack of database stays stopped", scope);
    }
  }
}
