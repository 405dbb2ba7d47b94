package io.github.kafkadedup.retention;
import io.github.kafkadedup.consumer.DedupConfig;

import io.github.kafkadedup.migrations.DedupSchema;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of a {@link RetentionJob}. Build with {@link #builder()}; each setter checks its
 * argument and names the property in its message; {@link #toBuilder()} gives a modified copy.
 *
 * <p>The <em>dedup window</em> is how long a claimed key is kept: a re-send or a replay that arrives
 * later than that is no longer recognised and is processed again. It must therefore be longer than the
 * longest time a record can come back: the topics' {@code retention.ms} (a consumer group reset to the
 * earliest offset replays that far back) plus the longest outage or replay you plan for.
 */
public final class RetentionConfig {
  /** The default {@link #minimumWindow()}: 7 days. */
  public static final Duration DEFAULT_MINIMUM_WINDOW = Duration.ofDays(7);
  /** The default {@link #batchSize()}: {@value}. */
  public static final int DEFAULT_BATCH_SIZE = 10_000;
  /** The longest accepted {@link #window()} and {@link #minimumWindow()}: 3,650 days. */
  public static final Duration MAX_WINDOW = Duration.ofDays(3_650);
  /** The largest accepted {@link #batchSize()}: {@value}. */
  public static final int MAX_BATCH_SIZE = 1_000_000;
  /** The shortest accepted {@link #generationLength()}: one minute. */
  public static final Duration MIN_GENERATION_LENGTH = Duration.ofMinutes(1);

  private final Duration window;
  private final Duration minimumWindow;
  private final boolean forceShortWindow;
  private final int batchSize;
  private final Duration generationLength;
  private final @Nullable Duration generationLengthSet; // null: derived from the window (kept so by toBuilder)
  private final @Nullable String scope;
  private final DedupSchema schema;

  private RetentionConfig(Builder b, Duration window, Duration generationLength) {
    this.window = window;
    this.generationLength = generationLength;
    this.generationLengthSet = b.generationLength;
    this.minimumWindow = b.minimumWindow;
    this.forceShortWindow = b.forceShortWindow;
    this.batchSize = b.batchSize;
    this.scope = b.scope;
    this.schema = b.schema;
  }

  /** @return a builder with the defaults; {@link Builder#window} must be set */
  public static Builder builder() {
    return new Builder();
  }

  /** @return a builder holding these settings */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** @return the dedup window: keys claimed longer ago than this are deleted */
  public Duration window() {
    return window;
  }

  /** @return the shortest window accepted without {@link #forceShortWindow()}; default 7 days */
  public Duration minimumWindow() {
    return minimumWindow;
  }

  /** @return whether a window below {@link #minimumWindow()} is accepted; default false */
  public boolean forceShortWindow() {
    return forceShortWindow;
  }

  /**
   * How long one generation of claims takes new keys before the next starts. A key is kept between one
   * {@link #window()} and one window plus one generation length; each claim probes the older live
   * generations, so a few long generations (2 or 3 per window) cost least.
   *
   * @return the generation length; default half the window
   */
  public Duration generationLength() {
    return generationLength;
  }

  /**
   * @return kept for compatibility; since schema version 2 retention drops whole generations and deletes no
   *     rows, so this setting has no effect; default {@value #DEFAULT_BATCH_SIZE}
   */
  public int batchSize() {
    return batchSize;
  }

  /**
   * @return the name of the job in logs and meters, or {@code null} (the default); since schema version 2
   *     generations hold every scope, so a run keeps or drops the keys of all scopes together
   */
  public @Nullable String scope() {
    return scope;
  }

  /** @return where the tables are; default {@link DedupSchema#DEFAULT} */
  public DedupSchema schema() {
    return schema;
  }

  @Override
  public String toString() {
    return "RetentionConfig{window=" + window + ", minimumWindow=" + minimumWindow + ", forceShortWindow="
        + forceShortWindow + ", generationLength=" + generationLength + ", batchSize=" + batchSize + ", scope="
        + scope + ", schema=" + schema + "}";
  }

  /** Builds a {@link RetentionConfig}; every setter validates its argument, {@link #build()} the window. */
  public static final class Builder {
    private @Nullable Duration window;
    private Duration minimumWindow = DEFAULT_MINIMUM_WINDOW;
    private boolean forceShortWindow;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private @Nullable Duration generationLength;
    private @Nullable String scope;
    private DedupSchema schema = DedupSchema.DEFAULT;

    private Builder() {}

    private Builder(RetentionConfig c) {
      window = c.window;
      minimumWindow = c.minimumWindow;
      forceShortWindow = c.forceShortWindow;
      batchSize = c.batchSize;
      generationLength = c.generationLengthSet;
      scope = c.scope;
      schema = c.schema;
    }

    /**
     * The dedup window (required): keys claimed longer ago than this are deleted. It must be at least
     * {@link #minimumWindow(Duration)} unless {@link #forceShortWindow(boolean)} is set.
     *
     * @param value more than zero, at most {@link #MAX_WINDOW}
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder window(Duration value) {
      this.window = checkWindow("window", value);
      return this;
    }

    private static Duration checkWindow(String property, Duration value) {
      Objects.requireNonNull(value, property);
      if (value.isNegative() || value.isZero() || value.compareTo(MAX_WINDOW) > 0) {
        throw new IllegalArgumentException(property + " must be between 1 ns and " + MAX_WINDOW.toDays()
            + " days, but was " + value);
      }
      return value;
    }

    /**
     * The shortest window {@link #build()} accepts without {@link #forceShortWindow(boolean)}.
     *
     * @param value more than zero, at most {@link #MAX_WINDOW}; default 7 days
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder minimumWindow(Duration value) {
      this.minimumWindow = checkWindow("minimumWindow", value);
      return this;
    }

    /**
     * Accepts a window shorter than {@link #minimumWindow(Duration)}: only when you know that no record
     * can come back (re-send, replay, offset reset) after the window.
     *
     * @param value true to accept a short window; default false
     * @return this
     */
    public Builder forceShortWindow(boolean value) {
      this.forceShortWindow = value;
      return this;
    }

    /**
     * How long a generation takes new claims before the next one starts ({@link
     * RetentionConfig#generationLength()}).
     *
     * @param value at least one minute and at most the window (checked by {@link #build()}); default half
     *     the window
     * @return this
     * @throws IllegalArgumentException if shorter than one minute
     */
    public Builder generationLength(Duration value) {
      Objects.requireNonNull(value, "generationLength");
      if (value.compareTo(MIN_GENERATION_LENGTH) < 0) {
        throw new IllegalArgumentException("generationLength must be at least " + MIN_GENERATION_LENGTH
            + ", but was " + value);
      }
      this.generationLength = value;
      return this;
    }

    /**
     * Kept for compatibility: since schema version 2 retention drops whole generations, so this has no
     * effect.
     *
     * @param value 1 to {@value #MAX_BATCH_SIZE}; default {@value #DEFAULT_BATCH_SIZE}
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder batchSize(int value) {
      if (value < 1 || value > MAX_BATCH_SIZE) {
        throw new IllegalArgumentException("batchSize must be between 1 and " + MAX_BATCH_SIZE + ", but was "
            + value);
      }
      this.batchSize = value;
      return this;
    }

    /**
     * Names the job in logs and meters (default: none). Generations hold every scope, so the job keeps or
     * drops the keys of all scopes together.
     *
     * @param value 1 to 255 UTF-8 bytes, not blank, no U+0000 (as {@link DedupConfig.Builder#scope})
     * @return this
     * @throws IllegalArgumentException if blank, too long or containing U+0000
     */
    public Builder scope(String value) {
      this.scope = DedupConfig.checkScope(value);
      return this;
    }

    /**
     * Schema and table prefix of the library's tables (as migrated by {@code DedupMigrations}).
     *
     * @param value the schema; default {@link DedupSchema#DEFAULT}
     * @return this
     */
    public Builder schema(DedupSchema value) {
      this.schema = Objects.requireNonNull(value, "schema");
      return this;
    }

    /**
     * @return the immutable settings
     * @throws IllegalStateException if the window is not set
     * @throws IllegalArgumentException if the window is shorter than the minimum and not forced, or the
     *     generation length is longer than the window
     */
    public RetentionConfig build() {
      if (window == null) {
        throw new IllegalStateException("window must be set: how long claimed keys are kept (the dedup window)");
      }
      if (window.compareTo(minimumWindow) < 0 && !forceShortWindow) {
        throw new IllegalArgumentException("window " + window + " is shorter than minimumWindow "
            + minimumWindow + ". The window is how long a processed key is remembered: a re-send or replay "
            + "of a record older than the window is no longer recognised as a duplicate and is processed "
            + "again. Keep it longer than the topics' retention.ms plus the longest replay or outage you "
            + "plan for; set forceShortWindow(true) only if no record can come back after " + window);
      }
      Duration length = generationLength != null ? generationLength : window.dividedBy(2);
      if (length.compareTo(window) > 0) {
        throw new IllegalArgumentException("generationLength " + length + " is longer than the window " + window
            + ": a key would be kept up to window + generationLength; use at most the window (default: half)");
      }
      return new RetentionConfig(this, window, length);
    }
  }
}
