package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.internal.EngineRules;
import io.github.kafkadedup.consumer.internal.SequenceGate;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.FailedRecordProcessor;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The engine's dead-letter rule for Spring's error handlers: when the handler's recoverer (e.g. a
 * {@code DeadLetterPublishingRecoverer}) has taken a record of a kafka-dedup container, its key is stored as
 * dead-lettered ({@code D}), so that a replay of the key follows {@code deadLetteredReplay} (default: to the
 * recoverer again). The recoverer runs outside any transaction of ours, so the claim follows it in a transaction
 * of its own; if that fails, the error handler treats the recovery as failed and the record is delivered again
 * (to be dead-lettered again: at least once, like any recoverer). The scope is that of the container whose
 * consumer thread is calling: each adapter notes it with {@link #enter} before its listener runs. With
 * {@link DeadLetterTableRecoverer} the claim is in the recoverer's own transaction and this listener does nothing.
 */
final class DeadLetterClaims implements RetryListener {
  private static final Logger log = LoggerFactory.getLogger(DedupListeners.class);
  private static final ThreadLocal<@Nullable String> SCOPE = new ThreadLocal<>();
  private static final ThreadLocal<@Nullable String> CLAIMED = new ThreadLocal<>();
  private static final ThreadLocal<@Nullable SequenceGate<?, ?>> GATE = new ThreadLocal<>();

  private final ClaimStep claims;
  private final TransactionTemplate transactions;

  DeadLetterClaims(ClaimStep claims, TransactionTemplate transactions) {
    this.claims = claims;
    this.transactions = transactions;
  }

  /**
   * Notes that this consumer thread serves a kafka-dedup container of {@code scope}, with sequencing
   * {@code gate} (null without): {@link DeadLetterTableRecoverer} parks the sequence of what it dead-letters.
   */
  static void enter(String scope, @Nullable SequenceGate<?, ?> gate) {
    SCOPE.set(scope);
    GATE.set(gate);
  }

  /** The sequencing of the kafka-dedup container whose consumer thread this is, or {@code null}. */
  static @Nullable SequenceGate<?, ?> gate() {
    return GATE.get();
  }

  /** The scope of the kafka-dedup container whose consumer thread this is, or {@code null}. */
  static @Nullable String scope() {
    return SCOPE.get();
  }

  /**
   * Notes that {@link DeadLetterTableRecoverer} has claimed {@code record}'s key {@code D} in the transaction
   * that stored it, so that {@link #recovered}, which the error handler calls next on this thread, leaves it
   * (were it to claim again, the claim would find this very record dead-lettered: a logged redelivery, no
   * write).
   */
  static void claimedByRecoverer(ConsumerRecord<?, ?> record) {
    CLAIMED.set(EngineRules.where(record));
  }

  @Override
  public void failedDelivery(ConsumerRecord<?, ?> record, @Nullable Exception ex, int deliveryAttempt) {}

  @Override
  public void recovered(ConsumerRecord<?, ?> record, @Nullable Exception ex) {
    String claimed = CLAIMED.get();
    CLAIMED.remove();
    String scope = SCOPE.get();
    if (scope == null || EngineRules.where(record).equals(claimed)) {
      return; // not a consumer thread of a kafka-dedup container, or dead-lettered by the table already
    }
    if (GATE.get() != null) {
      log.warn("[{}] {} was taken by a recoverer other than the DeadLetterTableRecoverer: sequencing cannot park "
          + "its sequence (later records of it are applied); give this container's DefaultErrorHandler the "
          + "DeadLetterTableRecoverer", scope, EngineRules.where(record));
    }
    DedupException reason = reasonOf(ex);
    if (claims.deadLettered(scope, record, transactions)) {
      claims.metrics().deadLettered(scope, reason == null ? DedupException.Kind.HANDLER_FAILED : reason.kind());
      log.warn("[{}] dead-lettered {}: {}", scope, EngineRules.where(record),
          reason != null ? reason.getMessage() : String.valueOf(rootCause(ex)));
    }
  }

  /**
   * Adds {@code listener} to {@code handler}'s retry listeners, keeping those already set (Spring Kafka only
   * offers {@code setRetryListeners}, which replaces them, and a protected getter).
   */
  static void attach(FailedRecordProcessor handler, DeadLetterClaims listener) {
    List<RetryListener> all = new ArrayList<>();
    try {
      Method getter = FailedRecordProcessor.class.getDeclaredMethod("getRetryListeners");
      getter.setAccessible(true);
      for (Object existing : (List<?>) getter.invoke(handler)) {
        if (existing instanceof DeadLetterClaims) {
          return; // already attached (an error handler shared by several containers)
        }
        all.add((RetryListener) existing);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw DedupException.configuration("kafka-dedup cannot read the retry listeners of error handler "
          + handler + " to add the one that stores dead-lettered keys (" + e + ")");
    }
    all.add(listener);
    handler.setRetryListeners(all.toArray(RetryListener[]::new));
  }

  private static @Nullable DedupException reasonOf(@Nullable Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof DedupException d) {
        return d;
      }
    }
    return null;
  }

  private static @Nullable Throwable rootCause(@Nullable Throwable failure) {
    Throwable t = failure;
    while (t != null && t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
