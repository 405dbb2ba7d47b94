package io.github.kafkadedup.consumer.internal;
import io.github.kafkadedup.outbox.internal.Backoff;

import io.github.kafkadedup.consumer.DedupConfig;
import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DedupMetrics;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work in a database transaction, retrying transient failures with backoff. A non-transient
 * failure surfaces as {@link NonTransientFailure}; transient failures that outlast the attempts as
 * {@link DedupException} of kind {@code DATABASE}.
 *
 * <p>A failed {@code COMMIT} (the connection broke) leaves its outcome unknown: the server may have
 * committed. Every attempt therefore starts from what the database holds: the hook drops the records a
 * committed transaction already applied (stored offsets), and the key claims find the keys of applied
 * records taken, so a retry never applies a record twice.
 */
final class Transactions {
  private static final Logger log = LoggerFactory.getLogger(Transactions.class);

  private final DataSource dataSource;
  private final String scope;
  private final int maxAttempts;
  private final Backoff backoff;
  private final DedupMetrics metrics;
  private final TransactionHook hook;

  Transactions(DataSource dataSource, String scope, DedupConfig config, TransactionHook hook) {
    this.dataSource = dataSource;
    this.scope = scope;
    this.maxAttempts = config.maxAttempts();
    this.backoff = new Backoff(config.initialBackoff(), config.maxBackoff());
    this.metrics = config.metrics();
    this.hook = hook;
  }

  /**
   * Runs {@code work} in a transaction covering {@code records}, committing only if it returns. The work
   * receives the records still to apply (see {@link TransactionHook#unapplied}), in their order.
   */
  <R extends ConsumerRecord<?, ?>, T> T run(String what, List<R> records, Work<R, T> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return once(records, work);
      } catch (Exception e) {
        if (e instanceof DedupException d
            && (d.kind() == DedupException.Kind.FENCED || d.kind() == DedupException.Kind.CONFIGURATION)) {
          throw d; // no retry and no record-by-record split can cure these (e.g. a missing claim partition)
        }
        if (!TransientErrors.isTransient(e)) {
          throw new NonTransientFailure(e);
        }
        metrics.failure(scope, "transient");
        if (attempt >= maxAttempts) {
          throw DedupException.database("[" + scope + "] " + what + " failed " + attempt
              + " times with transient database errors", e);
        }
        log.warn("[{}] {} failed (attempt {}/{}), retrying: {}", scope, what, attempt, maxAttempts, e.toString());
        if (!backoff.sleep(attempt)) {
          throw DedupException.database("[" + scope + "] interrupted while retrying " + what, e);
        }
      }
    }
  }

  private <R extends ConsumerRecord<?, ?>, T> T once(List<R> records, Work<R, T> work)
      throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<R> unapplied = hook.unapplied(c, records);
        T result = work.apply(c, unapplied);
        hook.beforeCommit(c, unapplied);
        c.commit();
        hook.committed(unapplied);
        return result;
      } catch (Exception | Error e) {
        rollbackQuietly(c, e);
        throw e;
      } finally {
        restoreQuietly(c);
      }
    }
  }

  private static void rollbackQuietly(Connection c, Throwable failure) {
    try {
      c.rollback();
    } catch (SQLException rollbackFailure) {
      failure.addSuppressed(rollbackFailure);
    }
  }

  private static void restoreQuietly(Connection c) {
    try {
      if (!c.isClosed()) {
        c.setAutoCommit(true);
      }
    } catch (SQLException ignored) {
      // a broken connection: the pool evicts it
    }
  }

  /** A failure that retrying the same transaction cannot cure (e.g. the handler threw). */
  static final class NonTransientFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NonTransientFailure(Exception cause) {
      super(cause);
    }

    @Override
    public synchronized Exception getCause() {
      return (Exception) super.getCause();
    }
  }
}
