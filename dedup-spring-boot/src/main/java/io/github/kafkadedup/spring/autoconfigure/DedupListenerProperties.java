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
