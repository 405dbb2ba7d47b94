package io.github.kafkadedup.spring.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code dedup.health.*}: the thresholds of the {@code kafkaDedup} health indicator and the {@code kafkadedup}
 * Actuator endpoint. Each setter checks its value and names the property when it refuses one.
 */
@ConfigurationProperties(prefix = "dedup.health")
public class DedupHealthProperties {
  private Duration outboxMaxAge = Duration.ofMinutes(5);
  private long deadLettersMax;
  private Duration retentionMaxLag = Duration.ofHours(1);
  private Duration timeout = Duration.ofSeconds(5);
  private String breachStatus = "WARNING";

  /** Created by Spring Boot. */
  public DedupHealthProperties() {}

  /** @return how old the oldest unpublished outbox row may be; default 5 minutes */
  public Duration getOutboxMaxAge() {
    return outboxMaxAge;
  }

  /**
   * @param outboxMaxAge more than zero
   * @throws IllegalArgumentException if zero or negative
   */
  public void setOutboxMaxAge(Duration outboxMaxAge) {
    this.outboxMaxAge = positive("dedup.health.outbox-max-age", outboxMaxAge);
  }

  /** @return how many unresolved (pending, published, held) dead letters are accepted; default 0 */
  public long getDeadLettersMax() {
    return deadLettersMax;
  }

  /**
   * @param deadLettersMax zero or more
   * @throws IllegalArgumentException if negative
   */
  public void setDeadLettersMax(long deadLettersMax) {
    if (deadLettersMax < 0) {
      throw new IllegalArgumentException("dedup.health.dead-letters-max must be >= 0, but was " + deadLettersMax);
    }
    this.deadLettersMax = deadLettersMax;
  }

  /**
   * @return how far past {@code dedup.retention.window} the oldest live generation may have ended; default
   *     1 hour (checked only when {@code dedup.retention.window} is set)
   */
  public Duration getRetentionMaxLag() {
    return retentionMaxLag;
  }

  /**
   * @param retentionMaxLag more than zero
   * @throws IllegalArgumentException if zero or negative
   */
  public void setRetentionMaxLag(Duration retentionMaxLag) {
    this.retentionMaxLag = positive("dedup.health.retention-max-lag", retentionMaxLag);
  }

  /** @return the statement timeout of the checks' queries; default 5 seconds */
  public Duration getTimeout() {
    return timeout;
  }

  /**
   * @param timeout 100 ms to 60 s
   * @throws IllegalArgumentException if out of range
   */
  public void setTimeout(Duration timeout) {
    if (timeout == null || timeout.toMillis() < 100 || timeout.compareTo(Duration.ofSeconds(60)) > 0) {
      throw new IllegalArgumentException("dedup.health.timeout must be between 100ms and 60s, but was " + timeout);
    }
    this.timeout = timeout;
  }

  /**
   * @return the health status when a threshold is crossed; default {@code WARNING} (a status that Spring Boot's
   *     aggregate ignores unless {@code management.endpoint.health.status.order} names it), {@code DOWN} to fail
   *     the aggregate
   */
  public String getBreachStatus() {
    return breachStatus;
  }

  /**
   * @param breachStatus a status code such as {@code WARNING}, {@code OUT_OF_SERVICE} or {@code DOWN}
   * @throws IllegalArgumentException if blank or not upper-case letters and underscores
   */
  public void setBreachStatus(String breachStatus) {
    if (breachStatus == null || !breachStatus.matches("[A-Z][A-Z_]*")) {
      throw new IllegalArgumentException("dedup.health.breach-status must be a status code in upper case "
          + "(WARNING, OUT_OF_SERVICE, DOWN), but was '" + breachStatus + "'");
    }
    this.breachStatus = breachStatus;
  }

  private static Duration positive(String property, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(property + " must be more than zero, but was " + value);
    }
    return value;
  }
}
