package io.github.kafkadedup.spring;

import java.sql.SQLException;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs the adapters' Spring transactions so that a broken connection never hides what failed.
 * <ul>
 *   <li>The work (claim, listener) fails: the transaction is rolled back and the work's own failure is thrown,
 *       also when the rollback fails on the same broken connection (a {@code pg_terminate_backend}, a network
 *       cut). {@code TransactionTemplate} would throw the rollback's failure instead ("JDBC rollback failed",
 *       "Connection is closed", no SQLSTATE), with the work's failure only as its <em>application
 *       exception</em>, outside the cause chain, which would look permanent and send a valid record to the
 *       recoverer. The rollback's failure is kept as a suppressed exception; nothing was committed either way.
 *   <li>The commit fails after the work returned: when the connection breaks after {@code COMMIT} was sent,
 *       PostgreSQL may have committed, so the outcome is unknown. That failure is reported as
 *       {@link RecoverableDataAccessException} (transient): the retry claims the keys again and finds them
 *       taken if the commit landed, so nothing is applied or dead-lettered twice.
 * </ul>
 */
final class CommitOutcome {
  private CommitOutcome() {}

  static <T> @Nullable T execute(TransactionTemplate transactions, TransactionCallback<T> work) {
    boolean[] workReturned = {false};
    RuntimeException[] workFailure = {null};
    T result;
    try {
      result = transactions.execute(status -> {
        try {
          T value = work.doInTransaction(status);
          workReturned[0] = true;
          return value;
        } catch (RuntimeException e) {
          workFailure[0] = e;
          status.setRollbackOnly(); // rolled back by the commit call, which throws only if the rollback fails
          return null;
        }
      });
    } catch (RuntimeException failure) {
      RuntimeException own = workFailure[0];
      if (own != null) {
        own.addSuppressed(failure); // the rollback failed too: the connection is gone, nothing committed
        throw own;
      }
      if (!workReturned[0] || violatesConstraint(failure)) {
        throw failure;
      }
      throw new Unknown("the commit failed and its outcome is unknown (" + failure
          + "); retrying: the retry finds the keys claimed if the commit landed", failure);
    }
    if (workFailure[0] != null) {
      throw workFailure[0];
    }
    return result;
  }

  /** A commit whose outcome is unknown: transient, the retry finds the keys claimed if it landed. */
  static final class Unknown extends RecoverableDataAccessException {
    private static final long serialVersionUID = 1L;

    Unknown(String message, Throwable cause) {
      super(message, cause);
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
