package io.github.kafkadedup.spring.actuate;

import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code kafkaDedup} health: {@code DOWN} when the claim store does not answer, the configured breach
 * status ({@code dedup.health.breach-status}, default {@code WARNING}) when a threshold is crossed (old relay
 * backlog, unresolved dead letters, retention behind its window), {@code UP} otherwise; the details say what
 * was measured against which threshold. Also {@code DOWN} while the application's listeners have stopped their
 * containers because their database was unavailable for longer than {@code dedup.listener.database-outage-bound}
 * ({@code DedupListeners#isDatabaseUnavailable()}): their partitions are with other members until it answers.
 */
public final class DedupHealthIndicator implements HealthIndicator {
  private final DedupStoreCheck check;
  private final Status breach;
  private final BooleanSupplier listenersWithoutDatabase;

  /**
   * An indicator of the store alone.
   *
   * @param check reads the store
   * @param breachStatus the status when a threshold is crossed
   */
  public DedupHealthIndicator(DedupStoreCheck check, String breachStatus) {
    this(check, breachStatus, () -> false);
  }

  /**
   * An indicator of the store and of the listeners' database outages.
   *
   * @param check reads the store
   * @param breachStatus the status when a threshold is crossed
   * @param listenersWithoutDatabase true while listeners have given their partitions back for want of a database
   */
  public DedupHealthIndicator(DedupStoreCheck check, String breachStatus, BooleanSupplier listenersWithoutDatabase) {
    this.check = Objects.requireNonNull(check, "check");
    this.breach = new Status(breachStatus);
    this.listenersWithoutDatabase = Objects.requireNonNull(listenersWithoutDatabase, "listenersWithoutDatabase");
  }

  @Override
  public Health health() {
    DedupStoreCheck.Result r = check.check();
    boolean outage = listenersWithoutDatabase.getAsBoolean();
    Status status = !r.reachable() || outage ? Status.DOWN : r.problems().isEmpty() ? Status.UP : breach;
    Health.Builder health = Health.status(status).withDetails(r.details());
    if (outage) {
      health.withDetail("listeners", "stopped: their database was unavailable for longer than "
          + "dedup.listener.database-outage-bound; they start again when it answers");
    }
    return health.build();
  }
}
