package io.github.kafkadedup.consumer;

import io.github.kafkadedup.migrations.DedupSchema;
import io.micrometer.observation.ObservationRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of the dedup engine. Build with {@link #builder()}; each setter checks its argument
 * and names the property in its message; {@link #toBuilder()} gives a modified copy.
 */
public final class DedupConfig {
  /** The most bytes a key may have (schema version 1's table enforced it; version 2 stores 16-byte ids): {@value}. */
  public static final int MAX_KEY_BYTES_LIMIT = 512;

  /** Whether duplicates are dropped or only counted. */
  public enum Mode {
    /** Duplicates never reach the handler (the default). */
    ENFORCE,
    /** Keys are claimed and duplicates counted and logged, but the handler still sees them: for rollout. */
    OBSERVE
  }

  /** What happens to a key longer than {@code maxKeyBytes}. */
  public enum OversizedKeys {
    /** The record goes to the recoverer ({@link DedupException.Kind#KEY_TOO_LONG}); the default. */
    REJECT,
    /** The key is replaced by {@code sha256:<hex>} of its UTF-8 bytes (71 bytes): same key, same hash. */
    HASH
  }

  /** What happens when a key that was dead-lettered before arrives again at another offset. */
  public enum DeadLetteredReplay {
    /** Send the record to the recoverer again (the default): never applied nor dropped silently. */
    RECOVER,
    /** Drop it as a duplicate (counted and logged at WARN). */
    SKIP,
    /** Process it now: the handler runs and the key's status becomes processed (replaying a fixed DLT). */
    REPROCESS
  }

  private final @Nullable String scope;
  private final DedupSchema schema;
  private final Mode mode;
  private final int maxKeyBytes;
  private final OversizedKeys oversizedKeys;
  private final DeadLetteredReplay deadLetteredReplay;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final DedupMetrics metrics;
  private final ObservationRegistry observationRegistry;

  private DedupConfig(Builder b) {
    this.scope = b.scope;
    this.schema = b.schema;
    this.mode = b.mode;
    this.maxKeyBytes = b.maxKeyBytes;
    this.oversizedKeys = b.oversizedKeys;
    this.deadLetteredReplay = b.deadLetteredReplay;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.metrics = b.metrics;
    this.observationRegistry = b.observationRegistry;
  }

  /** @return a builder with the defaults */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the defaults (scope: the consumer group id) */
  public static DedupConfig defaults() {
    return builder().build();
  }

  /** @return a builder holding these settings */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** @return the scope, or {@code null} for "the consumer group id" */
  public @Nullable String scope() {
    return scope;
  }

  /** @return where the tables are; default {@link DedupSchema#DEFAULT} */
  public DedupSchema schema() {
    return schema;
  }

  /** @return enforce or observe; default {@link Mode#ENFORCE} */
  public Mode mode() {
    return mode;
  }

  /** @return the longest key in UTF-8 bytes; default {@value #MAX_KEY_BYTES_LIMIT} */
  public int maxKeyBytes() {
    return maxKeyBytes;
  }

  /** @return the outcome for longer keys; default {@link OversizedKeys#REJECT} */
  public OversizedKeys oversizedKeys() {
    return oversizedKeys;
  }

  /** @return the outcome for replays of dead-lettered keys; default {@link DeadLetteredReplay#RECOVER} */
  public DeadLetteredReplay deadLetteredReplay() {
    return deadLetteredReplay;
  }

  /** @return attempts for a transaction that fails transiently; default 5 */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** @return the first retry delay; default 100 ms, doubled per attempt with jitter */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** @return the longest retry delay; default 5 s */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** @return where counts and latencies go; default {@link DedupMetrics#none()} */
  public DedupMetrics metrics() {
    return metrics;
  }

  /** @return where spans go; default {@link ObservationRegistry#NOOP} (no spans) */
  public ObservationRegistry observationRegistry() {
    return observationRegistry;
  }

  @Override
  public String toString() {
    return "DedupConfig{scope=" + scope + ", schema=" + schema + ", mode=" + mode + ", maxKeyBytes="
        + maxKeyBytes + ", oversizedKeys=" + oversizedKeys + ", deadLetteredReplay=" + deadLetteredReplay
        + ", maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + ", maxBackoff="
        + maxBackoff + "}";
  }

  /** Builds a {@link DedupConfig}; every setter validates its argument. */
  public static final class Builder {
    private @Nullable String scope;
    private DedupSchema schema = DedupSchema.DEFAULT;
    private Mode mode = Mode.ENFORCE;
    private int maxKeyBytes = MAX_KEY_BYTES_LIMIT;
    private OversizedKeys oversizedKeys = OversizedKeys.REJECT;
    private DeadLetteredReplay deadLetteredReplay = DeadLetteredReplay.RECOVER;
    private int maxAttempts = 5;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private DedupMetrics metrics = DedupMetrics.none();
    private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

    private Builder() {}

    private Builder(DedupConfig c) {
      scope = c.scope;
      schema = c.schema;
      mode = c.mode;
      maxKeyBytes = c.maxKeyBytes;
      oversizedKeys = c.oversizedKeys;
      deadLetteredReplay = c.deadLetteredReplay;
      maxAttempts = c.maxAttempts;
      initialBackoff = c.initialBackoff;
      maxBackoff = c.maxBackoff;
      metrics = c.metrics;
      observationRegistry = c.observationRegistry;
    }

    /**
     * The namespace of keys: services with different scopes never suppress each other's messages.
     * Default: the consumer group id.
     *
     * @param value 1 to 255 UTF-8 bytes, not blank, no U+0000
     * @return this
     * @throws IllegalArgumentException if blank, too long or containing U+0000
     */
    public Builder scope(String value) {
      this.scope = checkScope(value);
      return this;
    }

    /**
     * Schema and table prefix of the library's tables (as migrated by {@code DedupMigrations}).
     *
     * @param value the schema
     * @return this
     */
    public Builder schema(DedupSchema value) {
      this.schema = Objects.requireNonNull(value, "schema");
      return this;
    }

    /**
     * Enforce (drop duplicates) or observe (count them, still call the handler).
     *
     * @param value the mode
     * @return this
     */
    public Builder mode(Mode value) {
      this.mode = Objects.requireNonNull(value, "mode");
      return this;
    }

    /**
     * The longest accepted key in UTF-8 bytes.
     *
     * @param value 1 to {@value #MAX_KEY_BYTES_LIMIT}
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxKeyBytes(int value) {
      if (value < 1 || value > MAX_KEY_BYTES_LIMIT) {
        throw new IllegalArgumentException("maxKeyBytes must be between 1 and " + MAX_KEY_BYTES_LIMIT
            + ", but was " + value);
      }
      this.maxKeyBytes = value;
      return this;
    }

    /**
     * What happens to keys longer than {@code maxKeyBytes}.
     *
     * @param value reject (to the recoverer) or hash
     * @return this
     */
    public Builder oversizedKeys(OversizedKeys value) {
      this.oversizedKeys = Objects.requireNonNull(value, "oversizedKeys");
      return this;
    }

    /**
     * What happens when a dead-lettered key arrives again at another offset.
     *
     * @param value the policy
     * @return this
     */
    public Builder deadLetteredReplay(DeadLetteredReplay value) {
      this.deadLetteredReplay = Objects.requireNonNull(value, "deadLetteredReplay");
      return this;
    }

    /**
     * Attempts for a transaction that fails with a transient database error (connection loss,
     * serialization failure, deadlock), with exponential backoff and jitter between them.
     *
     * @param value 1 to 100
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxAttempts(int value) {
      if (value < 1 || value > 100) {
        throw new IllegalArgumentException("maxAttempts must be between 1 and 100, but was " + value);
      }
      this.maxAttempts = value;
      return this;
    }

    /**
     * The first retry delay and the cap; each retry doubles the delay, with full jitter.
     *
     * @param initial at least 1 ms
     * @param max at least {@code initial}, at most 5 minutes
     * @return this
     * @throws IllegalArgumentException if out of range
     */
    public Builder backoff(Duration initial, Duration max) {
      Objects.requireNonNull(initial, "initialBackoff");
      Objects.requireNonNull(max, "maxBackoff");
      if (initial.toMillis() < 1) {
        throw new IllegalArgumentException("initialBackoff must be at least 1 ms, but was " + initial);
      }
      if (max.compareTo(initial) < 0 || max.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("maxBackoff must be between initialBackoff (" + initial
            + ") and 5 minutes, but was " + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /**
     * Where counts and latencies go, e.g. {@link DedupMetrics#micrometer}.
     *
     * @param value the metrics sink
     * @return this
     */
    public Builder metrics(DedupMetrics value) {
      this.metrics = Objects.requireNonNull(value, "metrics");
      return this;
    }

    /**
     * Where spans go: the poll batch, the claim, the handler (per record for a {@code RecordHandler},
     * continuing the W3C trace context of the record's {@code traceparent} header) and each outbox write,
     * whose trace context is stored with the row and published with it. Micrometer Tracing (Brave or
     * OpenTelemetry) turns the observations into spans. Default {@link ObservationRegistry#NOOP}: nothing is
     * created or allocated.
     *
     * @param value the registry, e.g. the application's
     * @return this
     */
    public Builder observationRegistry(ObservationRegistry value) {
      this.observationRegistry = Objects.requireNonNull(value, "observationRegistry");
      return this;
    }

    /** @return the immutable settings */
    public DedupConfig build() {
      return new DedupConfig(this);
    }
  }

  /**
   * Checks a scope as {@link Builder#scope(String)} documents (the one rule every module that names a scope
   * follows, retention's included).
   *
   * @param value the scope
   * @return {@code value}
   * @throws IllegalArgumentException if it is blank, contains U+0000 or is longer than 255 UTF-8 bytes
   */
  public static String checkScope(@Nullable String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("scope must not be blank, but was '" + value + "'");
    }
    if (value.indexOf('\u0000') >= 0) {
      throw new IllegalArgumentException("scope must not contain U+0000 (NUL), which PostgreSQL text cannot "
          + "store, but was '" + value.replace("\u0000", "\\u0000") + "'");
    }
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > 255) {
      throw new IllegalArgumentException("scope must be at most 255 UTF-8 bytes, but was " + bytes);
    }
    return value;
  }
}
