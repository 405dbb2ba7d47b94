package io.github.kafkadedup.spring.autoconfigure;

import io.github.kafkadedup.retention.RetentionConfig;
import io.github.kafkadedup.migrations.DedupSchema;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.support.CronExpression;

/** {@code dedup.retention.*}: pruning of expired keys by the engine's {@code RetentionJob}. */
public class DedupRetentionProperties {

  /** Bound by Spring Boot under {@code dedup.retention}. */
  public DedupRetentionProperties() {}

  /** Whether old keys are deleted on the schedule. */
  private boolean enabled;

  /** Keys older than this are deleted; longer than the topics' retention plus the longest replay. */
  private @Nullable Duration window;

  /** Kept for compatibility, 1 to 1000000: no effect since schema version 2 (whole generations are dropped). */
  private int batchSize = 10_000;

  /** When the retention job runs: a Spring cron expression (six fields, seconds first). */
  private String schedule = "0 */10 * * * *";

  /** Accept a window shorter than 7 days (tests, short-lived topics). */
  private boolean forceShortWindow;

  /**
   * How long one generation of claims takes new keys before the next starts: at least 1 minute, at most the
   * window; default half the window. A key is kept between one window and one window plus this.
   */
  private @Nullable Duration generationLength;

  /** @return whether retention runs; default false */
  public boolean isEnabled() {
    return enabled;
  }

  /** @param enabled true to delete old keys on the schedule */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** @return the dedup window, or {@code null} when not set */
  public @Nullable Duration getWindow() {
    return window;
  }

  /**
   * @param window more than zero
   * @throws IllegalArgumentException if zero or negative
   */
  public void setWindow(Duration window) {
    if (window == null || window.isZero() || window.isNegative()) {
      throw new IllegalArgumentException("dedup.retention.window must be more than zero, but was " + window);
    }
    this.window = window;
  }

  /** @return rows per delete statement; default 10000 */
  public int getBatchSize() {
    return batchSize;
  }

  /**
   * @param batchSize 1 to 1000000
   * @throws IllegalArgumentException if out of range
   */
  public void setBatchSize(int batchSize) {
    if (batchSize < 1 || batchSize > 1_000_000) {
      throw new IllegalArgumentException("dedup.retention.batch-size must be between 1 and 1000000, but was "
          + batchSize);
    }
    this.batchSize = batchSize;
  }

  /** @return the cron schedule; default every ten minutes */
  public String getSchedule() {
    return schedule;
  }

  /**
   * @param schedule a Spring cron expression, e.g. {@code 0 0 * * * *}
   * @throws IllegalArgumentException if not a valid expression
   */
  public void setSchedule(String schedule) {
    if (schedule == null || !CronExpression.isValidExpression(schedule)) {
      throw new IllegalArgumentException("dedup.retention.schedule must be a Spring cron expression with six "
          + "fields (second minute hour day month weekday), e.g. '0 */10 * * * *', but was '" + schedule + "'");
    }
    this.schedule = schedule;
  }

  /** @return whether a window shorter than 7 days is accepted; default false */
  public boolean isForceShortWindow() {
    return forceShortWindow;
  }

  /** @param forceShortWindow true to accept a window shorter than 7 days */
  public void setForceShortWindow(boolean forceShortWindow) {
    this.forceShortWindow = forceShortWindow;
  }

  /** @return the claim generation length, or {@code null} for the engine's default (half the window) */
  public @Nullable Duration getGenerationLength() {
    return generationLength;
  }

  /**
   * @param generationLength at least one minute (and at most the window, checked at start-up)
   * @throws IllegalArgumentException if shorter than one minute
   */
  public void setGenerationLength(Duration generationLength) {
    if (generationLength == null || generationLength.compareTo(RetentionConfig.MIN_GENERATION_LENGTH) < 0) {
      throw new IllegalArgumentException("dedup.retention.generation-length must be at least "
          + RetentionConfig.MIN_GENERATION_LENGTH + ", but was " + generationLength);
    }
    this.generationLength = generationLength;
  }

  /** The engine's retention settings for {@code schema} and {@code scope} (null: every scope). */
  RetentionConfig toConfig(DedupSchema schema, @Nullable String scope) {
    check();
    RetentionConfig.Builder b = RetentionConfig.builder().window(Objects.requireNonNull(window))
        .batchSize(batchSize).forceShortWindow(forceShortWindow).schema(schema);
    if (scope != null) {
      b.scope(scope);
    }
    if (generationLength != null) {
      b.generationLength(generationLength);
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      if (generationLength != null && generationLength.compareTo(window) > 0) {
        throw new IllegalArgumentException("dedup.retention.generation-length " + generationLength
            + " is longer than dedup.retention.window " + window + ": use at most the window (default: half)", e);
      }
      throw new IllegalArgumentException("dedup.retention.window: " + e.getMessage()
          + " (or set dedup.retention.force-short-window=true)", e);
    }
  }

  /** Cross-field rule, checked when the context starts. */
  void check() {
    if (enabled && window == null) {
      throw new IllegalArgumentException("dedup.retention.window must be set when dedup.retention.enabled=true "
          + "(longer than the topics' retention plus the longest replay, e.g. 14d)");
    }
  }
}
