package io.github.kafkadedup.spring.autoconfigure;

import io.github.kafkadedup.spring.DedupListeners;
import java.util.Objects;

/** {@code dedup.listener.*}: how record listeners are run. */
public class DedupListenerProperties {

  /**
   * How many records of a record listener share one database transaction: poll (one transaction per poll,
   * keys claimed in one round trip, a failing record isolated) or record (one per record).
   */
  private DedupListeners.TransactionPer transactionPer = DedupListeners.TransactionPer.POLL;

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
}
