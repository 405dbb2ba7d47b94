package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupMetrics;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer's episodes without a working database, shared by the engine's poll loop and the Spring listener
 * containers. An episode starts at the first database failure after a success and ends at the next success. When
 * it lasts longer than its bound ({@link #DEFAULT_BOUND} unless configured), the consumer is <em>unavailable</em>:
 * {@link #failed} says so once (it logs one ERROR for the episode and sets the meter
 * {@code kafka.dedup.database.unavailable} of its scope to 1), and the caller gives its partitions back to the group
 * so that another member can take them; it probes the database ({@link #probe}) and rejoins when it answers
 * ({@link #recovered} logs one INFO line and sets the meter back to 0). {@link #isUnavailable()} is the health
 * signal. Thread-safe.
 */
public final class DatabaseOutage {
  /**
   * The default bound: 60 s. Longer than a PostgreSQL restart or a managed failover (typically 10-40 s), which the
   * retries ride out without a rebalance; short enough that one member whose pool cannot connect hands its
   * partitions over before its lag is an incident.
   */
  public static final Duration DEFAULT_BOUND = Duration.ofSeconds(60);

  private static final Logger log = LoggerFactory.getLogger(DatabaseOutage.class);

  private final String scope;
  private final Duration bound;
  private final DedupMetrics metrics;
  private long sinceNanos;
  private boolean episode;
  private volatile boolean unavailable;

  private DatabaseOutage(String scope, Duration bound, DedupMetrics metrics) {
    this.scope = scope;
    this.bound = bound;
    this.metrics = metrics;
  }

  /**
   * The outage tracker of one consumer.
   *
   * @param scope the dedup scope, for the log lines and the meter's tag
   * @param bound how long an episode may last before the consumer gives its partitions back; positive
   * @param metrics where the {@code unavailable} signal goes
   * @return a tracker with no episode
   * @throws IllegalArgumentException if {@code bound} is not positive
   */
  public static DatabaseOutage of(String scope, Duration bound, DedupMetrics metrics) {
    if (bound.isNegative() || bound.isZero()) {
      throw new IllegalArgumentException("databaseOutageBound must be > 0, but was " + bound);
    }
    return new DatabaseOutage(Objects.requireNonNull(scope, "scope"), bound, Objects.requireNonNull(metrics));
  }

  /** @return how long an episode may last before the consumer gives its partitions back */
  public Duration bound() {
    return bound;
  }

  /**
   * @return whether the current episode has lasted longer than the bound (the consumer gave, or is giving, its
   *     partitions back); false once the database answered again
   */
  public boolean isUnavailable() {
    return unavailable;
  }

  /**
   * Notes a database failure (a transient one, or a connection the pool could not open).
   *
   * @param failure what failed, for the ERROR line
   * @return true exactly once per episode: when it has just passed its bound, and the caller must give its
   *     partitions back now
   */
  public synchronized boolean failed(Throwable failure) {
    long now = System.nanoTime();
    if (!episode) {
      episode = true;
      sinceNanos = now;
      return false;
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(now - sinceNanos);
    if (unavailable || millis <= bound.toMillis()) {
      return false;
    }
    unavailable = true;
    metrics.databaseUnavailable(scope, true);
    log.error("[{}] the database has been unusable for {} s, longer than the bound of {} s: giving this "
        + "consumer's partitions back to the group until the database answers again (meter "
        + "kafka.dedup.database.unavailable=1); last failure: {}", scope, millis / 1000, bound.toSeconds(),
        failure.toString());
    return true;
  }

  /**
   * Notes that the database worked: ends the episode.
   *
   * @return true if the consumer was unavailable (it rejoins the group now)
   */
  public synchronized boolean recovered() {
    boolean wasUnavailable = unavailable;
    if (wasUnavailable) {
      log.info("[{}] the database answers again after {} s: rejoining the group", scope,
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sinceNanos));
      unavailable = false;
      metrics.databaseUnavailable(scope, false);
    }
    episode = false;
    return wasUnavailable;
  }

  /**
   * Whether {@code dataSource} hands out a working connection now (opened and validated within 5 s).
   *
   * @param dataSource the consumer's database
   * @return true if it answered
   */
  public static boolean probe(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(5);
    } catch (SQLException | RuntimeException e) {
      log.debug("database probe failed: {}", e.toString());
      return false;
    }
  }
}
