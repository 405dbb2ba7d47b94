package io.github.kafkadedup.spring.actuate;

import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code kafkaDedup} health: {@code DOWN} when the claim store does not answer, the configured breach
 * status ({@code dedup.health.breach-status}, default {@code WARNING}) when a threshold is crossed (old relay
 * backlog, unresolved dead letters, retention behind its window), {@code UP} otherwise; the details say what
 * was measured against which threshold.
 */
public final class DedupHealthIndicator implements HealthIndicator {
  private final DedupStoreCheck check;
  private final Status breach;

  /**
   * @param check reads the store
   * @param breachStatus the status when a threshold is crossed
   */
  public DedupHealthIndicator(DedupStoreCheck check, String breachStatus) {
    this.check = Objects.requireNonNull(check, "check");
    this.breach = new Status(breachStatus);
  }

  @Override
  public Health health() {
    DedupStoreCheck.Result r = check.check();
    Status status = !r.reachable() ? Status.DOWN : r.problems().isEmpty() ? Status.UP : breach;
    return Health.status(status).withDetails(r.details()).build();
  }
}
