package io.github.kafkadedup.spring.autoconfigure;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.KeyStrategy;
import io.github.kafkadedup.migrations.DedupSchema;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The {@code dedup.*} properties. Every setter checks its value and names the property in its message, so a
 * wrong value stops the application at start-up.
 */
@ConfigurationProperties("dedup")
public class DedupProperties {

  /** How each record's dedup key is found. */
  public enum KeyStrategyName {
    /** The {@code dedup.header-name} header (default {@code idempotency-key}), decoded as UTF-8. */
    HEADER,
    /** The record key, only for topics whose record key is unique per message (an event id). */
    RECORD_KEY_UNIQUE_PER_MESSAGE,
    /** {@code topic-partition@offset}: catches redeliveries only, not re-sends. */
    TOPIC_PARTITION_OFFSET
  }

  /** Whether kafka-dedup makes the application's Kafka listener containers exactly-once. */
  private boolean enabled = true;

  /** Namespace of the keys; default: each listener container's consumer group id. */
  private @Nullable String scope;

  /** How each record's dedup key is found; a KeyStrategy bean replaces it. */
  private KeyStrategyName keyStrategy = KeyStrategyName.HEADER;

  /** The header that carries the key when key-strategy is header. */
  private String headerName = "idempotency-key";

  /** Enforce drops duplicates; observe claims and counts them but still calls the listener (for rollout). */
  private DedupConfig.Mode mode = DedupConfig.Mode.ENFORCE;

  /** The longest key in UTF-8 bytes, 1 to 512. */
  private int maxKeyBytes = 512;

  /** What happens to longer keys: reject (to the error handler's recoverer) or hash (sha256). */
  private DedupConfig.OversizedKeys oversizedKeys = DedupConfig.OversizedKeys.REJECT;

  /** What a replay of a dead-lettered key does: recover (to the recoverer again), reprocess or skip. */
  private DedupConfig.DeadLetteredReplay deadLetteredReplay = DedupConfig.DeadLetteredReplay.RECOVER;

  /** Bean name of the transaction manager for the claims and the listener; default: the only one. */
  private @Nullable String transactionManager;

  /** Whether error handlers retry transient database failures only, and recover others at once. */
  private boolean retryOnlyTransient = true;

  /** Bound by Spring Boot under {@code dedup}. */
  public DedupProperties() {}

  private final Table table = new Table();
  private final Migrations migrations = new Migrations();
  @NestedConfigurationProperty
  private final DedupRetentionProperties retention = new DedupRetentionProperties();
  @NestedConfigurationProperty
  private final DedupListenerProperties listener = new DedupListenerProperties();

  /** @return whether kafka-dedup is on; default true */
  public boolean isEnabled() {
    return enabled;
  }

  /** @param enabled false turns kafka-dedup off entirely */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** @return the scope, or {@code null} for each container's group id */
  public @Nullable String getScope() {
    return scope;
  }

  /**
   * @param scope 1 to 255 UTF-8 bytes, not blank
   * @throws IllegalArgumentException if blank or too long
   */
  public void setScope(@Nullable String scope) {
    if (scope == null || scope.isBlank() || scope.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new IllegalArgumentException("dedup.scope must be 1 to 255 UTF-8 bytes and not blank, but was '"
          + scope + "'");
    }
    this.scope = scope;
  }

  /** @return the key strategy; default header */
  public KeyStrategyName getKeyStrategy() {
    return keyStrategy;
  }

  /** @param keyStrategy header, record-key-unique-per-message or topic-partition-offset */
  public void setKeyStrategy(KeyStrategyName keyStrategy) {
    this.keyStrategy = Objects.requireNonNull(keyStrategy, "dedup.key-strategy");
  }

  /** @return the key header's name; default {@code idempotency-key} */
  public String getHeaderName() {
    return headerName;
  }

  /**
   * @param headerName not blank
   * @throws IllegalArgumentException if blank
   */
  public void setHeaderName(String headerName) {
    if (headerName == null || headerName.isBlank()) {
      throw new IllegalArgumentException("dedup.header-name must not be blank, but was '" + headerName + "'");
    }
    this.headerName = headerName;
  }

  /** @return enforce or observe; default enforce */
  public DedupConfig.Mode getMode() {
    return mode;
  }

  /** @param mode enforce or observe */
  public void setMode(DedupConfig.Mode mode) {
    this.mode = Objects.requireNonNull(mode, "dedup.mode");
  }

  /** @return the longest key in UTF-8 bytes; default 512 */
  public int getMaxKeyBytes() {
    return maxKeyBytes;
  }

  /**
   * @param maxKeyBytes 1 to 512
   * @throws IllegalArgumentException if out of range
   */
  public void setMaxKeyBytes(int maxKeyBytes) {
    if (maxKeyBytes < 1 || maxKeyBytes > DedupConfig.MAX_KEY_BYTES_LIMIT) {
      throw new IllegalArgumentException("dedup.max-key-bytes must be between 1 and "
          + DedupConfig.MAX_KEY_BYTES_LIMIT + ", but was " + maxKeyBytes);
    }
    this.maxKeyBytes = maxKeyBytes;
  }

  /** @return the outcome for longer keys; default reject */
  public DedupConfig.OversizedKeys getOversizedKeys() {
    return oversizedKeys;
  }

  /** @param oversizedKeys reject or hash */
  public void setOversizedKeys(DedupConfig.OversizedKeys oversizedKeys) {
    this.oversizedKeys = Objects.requireNonNull(oversizedKeys, "dedup.oversized-keys");
  }

  /** @return what a replay of a dead-lettered key does; default {@code recover} */
  public DedupConfig.DeadLetteredReplay getDeadLetteredReplay() {
    return deadLetteredReplay;
  }

  /** @param value {@code recover}, {@code reprocess} or {@code skip} */
  public void setDeadLetteredReplay(DedupConfig.DeadLetteredReplay value) {
    this.deadLetteredReplay = Objects.requireNonNull(value, "dedup.dead-lettered-replay");
  }

  /** @return the transaction manager's bean name, or {@code null} for the only one */
  public @Nullable String getTransactionManager() {
    return transactionManager;
  }

  /**
   * @param transactionManager a bean name, not blank
   * @throws IllegalArgumentException if blank
   */
  public void setTransactionManager(@Nullable String transactionManager) {
    if (transactionManager == null || transactionManager.isBlank()) {
      throw new IllegalArgumentException("dedup.transaction-manager must be a bean name, but was '"
          + transactionManager + "'");
    }
    this.transactionManager = transactionManager;
  }

  /** @return whether only transient database failures are retried; default true */
  public boolean isRetryOnlyTransient() {
    return retryOnlyTransient;
  }

  /** @param retryOnlyTransient false leaves the error handlers' retry decisions alone */
  public void setRetryOnlyTransient(boolean retryOnlyTransient) {
    this.retryOnlyTransient = retryOnlyTransient;
  }

  /** @return where the tables are */
  public Table getTable() {
    return table;
  }

  /** @return the migrations settings */
  public Migrations getMigrations() {
    return migrations;
  }

  /** @return the listener settings ({@code dedup.listener.*}) */
  public DedupListenerProperties getListener() {
    return listener;
  }

  /** @return the retention settings */
  public DedupRetentionProperties getRetention() {
    return retention;
  }

  /** The engine settings these properties describe (without metrics). */
  DedupConfig toConfig() {
    DedupConfig.Builder b = DedupConfig.builder().schema(table.toSchema()).mode(mode).maxKeyBytes(maxKeyBytes)
        .oversizedKeys(oversizedKeys).deadLetteredReplay(deadLetteredReplay);
    if (scope != null) {
      b.scope(scope);
    }
    return b.build();
  }

  /** The key strategy these properties describe. */
  KeyStrategy<Object, Object> toKeyStrategy() {
    return switch (keyStrategy) {
      case HEADER -> KeyStrategy.header(headerName);
      case RECORD_KEY_UNIQUE_PER_MESSAGE -> KeyStrategy.recordKeyUniquePerMessage();
      case TOPIC_PARTITION_OFFSET -> KeyStrategy.topicPartitionOffset();
    };
  }

  /** {@code dedup.table.*}: the schema and table prefix of kafka-dedup's tables. */
  public static class Table {

    /** Bound by Spring Boot under {@code dedup.table}. */
    public Table() {}
    /** The PostgreSQL schema of the library's tables. */
    private String schema = "public";

    /** Prepended to the library's table names; empty for none. */
    private String prefix = "";

    /** @return the schema; default {@code public} */
    public String getSchema() {
      return schema;
    }

    /**
     * @param schema a lower-case SQL identifier
     * @throws IllegalArgumentException if not one
     */
    public void setSchema(String schema) {
      try {
        DedupSchema.of(schema);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("dedup.table.schema: " + e.getMessage(), e);
      }
      this.schema = schema;
    }

    /** @return the table prefix; default empty */
    public String getPrefix() {
      return prefix;
    }

    /**
     * @param prefix empty or a lower-case SQL identifier of at most 30 characters
     * @throws IllegalArgumentException if not one
     */
    public void setPrefix(String prefix) {
      try {
        DedupSchema.of(DedupSchema.DEFAULT.schema(), prefix);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("dedup.table.prefix: " + e.getMessage(), e);
      }
      this.prefix = prefix;
    }

    DedupSchema toSchema() {
      return DedupSchema.of(schema, prefix);
    }
  }

  /** {@code dedup.migrations.*}. */
  public static class Migrations {

    /** Bound by Spring Boot under {@code dedup.migrations}. */
    public Migrations() {}
    /** Whether the library's Flyway migrations run at start-up, before any listener starts. */
    private boolean enabled;

    /** @return whether migrations run at start-up; default false */
    public boolean isEnabled() {
      return enabled;
    }

    /** @param enabled true to run {@code DedupMigrations.migrate} at start-up */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
