package io.github.kafkadedup.spring;

import java.sql.SQLException;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs the adapters' Spring transactions so that a failed commit is retried. When the connection breaks
 * after {@code COMMIT} was sent, PostgreSQL may have committed: the outcome is unknown. Spring's
 * {@code JdbcTransactionManager} then tries to roll back on the broken connection and throws that failure
 * ("JDBC rollback failed", "Connection is closed", no SQLSTATE) instead of the commit's, which would look
 * permanent and send a record whose effect may be committed to the recoverer. A failure after the work
 * returned is therefore reported as {@link RecoverableDataAccessException} (transient): the retry claims the
 * keys again and finds them taken if the commit landed, so nothing is applied or dead-lettered twice.
 */
final class CommitOutcome {
  private CommitOutcome() {}

  static <T> @Nullable T execute(TransactionTemplate transactions, TransactionCallback<T> work) {
    boolean[] workReturned = {false};
    try {
      return transactions.execute(status -> {
        T result = work.doInTransaction(status);
        workReturned[0] = true;
        return result;
      });
    } catch (RuntimeException failure) {
      if (!workReturned[0] || violatesConstraint(failure)) {
        throw failure;
      }
      throw new RecoverableDataAccessException("the commit failed and its outcome is unknown (" + failure
          + "); retrying: the retry finds the keys claimed if the commit landed", failure);
    }
  }

  /** A deferred constraint checked at commit (SQLSTATE class 23) fails the same way every time. */
  private static boolean violatesConstraint(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
        return true;
      }
    }
    return false;
  }
}
