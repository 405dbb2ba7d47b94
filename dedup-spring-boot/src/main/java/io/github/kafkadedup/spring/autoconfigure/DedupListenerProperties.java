package io.github.kafkadedup.spring.autoconfigure;

import io.github.kafkadedup.spring.DedupListeners;
import io.github.kafkadedup.consumer.internal.DatabaseOutage;
import java.time.Duration;
import java.util.Objects;

/** {@code dedup.listener.*}: how record listeners are run. */
public class DedupListenerProperties {

  /**
   * How many records of a record listener share one database transaction: poll (one transaction per poll,
   * keys claimed in one round trip, a failing record isolated) or record (one per record).
   */
  private DedupListeners.TransactionPer transactionPer = DedupListeners.TransactionPer.POLL;

  /**
   * How long a listener container may be without a working database before it is stopped, giving its partitions
   * back to the group, and started again when the database answers.
   */
  private Duration databaseOutageBound = DatabaseOutage.DEFAULT_BOUND;

  /**
   * Dead letters in order: record-key parks the later records of a dead-lettered record's sequence (its record
   * key, per partition) behind it until it is replayed or discarded; needs a DeadLetterTableRecoverer in the
   * error handler. none (default): no sequencing.
   */
  private SequencingMode sequencing = SequencingMode.NONE;

  /**
   * How often each listener consumer thread writes its row in dedup_heartbeats (what kafka-dedup status shows);
   * 0 for none. A container without an idle event interval gets this one, so that idle consumers write it too.
   */
  private Duration heartbeatInterval = Duration.ofSeconds(5);

  /** The values of {@code dedup.listener.sequencing}. */
  public enum SequencingMode {
    /** No sequencing (the default): a dead-lettered record holds back nothing. */
    NONE,
    /** The record key is the sequence key ({@code Sequencing.byRecordKey()}). */
    RECORD_KEY
  }

  /** Bound by Spring Boot under {@code dedup.listener}. */
  public DedupListenerProperties() {}

  /** @return {@code poll} (default) or {@code record} */
  public DedupListeners.TransactionPer getTransactionPer() {
    return transactionPer;
  }

  /**
   * @param transactionPer {@code poll} or {@code record}
   * @throws NullPointerException naming the property if null
   */
  public void setTransactionPer(DedupListeners.TransactionPer transactionPer) {
    this.transactionPer = Objects.requireNonNull(transactionPer, "dedup.listener.transaction-per");
  }

  /** @return {@code none} (default) or {@code record-key} */
  public SequencingMode getSequencing() {
    return sequencing;
  }

  /**
   * @param sequencing {@code none} or {@code record-key}
   * @throws NullPointerException naming the property if null
   */
  public void setSequencing(SequencingMode sequencing) {
    this.sequencing = Objects.requireNonNull(sequencing, "dedup.listener.sequencing");
  }

  /** @return how often each consumer thread writes its heartbeat; default 5 s */
  public Duration getHeartbeatInterval() {
    return heartbeatInterval;
  }

  /**
   * @param heartbeatInterval between 0 (off) and 1 hour
   * @throws IllegalArgumentException naming the property if out of range
   */
  public void setHeartbeatInterval(Duration heartbeatInterval) {
    if (heartbeatInterval.isNegative() || heartbeatInterval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("dedup.listener.heartbeat-interval must be between 0 and 1 hour, but was "
          + heartbeatInterval);
    }
    this.heartbeatInterval = heartbeatInterval;
  }

  /** @return how long a container may be without its database before it gives its partitions back; default 60 s */
  public Duration getDatabaseOutageBound() {
    return databaseOutageBound;
  }

  /**
   * @param databaseOutageBound a positive duration
   * @throws IllegalArgumentException naming the property if not positive
   */
  public void setDatabaseOutageBound(Duration databaseOutageBound) {
    if (databaseOutageBound.isNegative() || databaseOutageBound.isZero()) {
      throw new IllegalArgumentException("dedup.listener.database-outage-bound must be > 0, but was "
          + databaseOutageBound);
    }
    this.databaseOutageBound = databaseOutageBound;
  }
}
