package io.github.kafkadedup.spring;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.internal.EngineRules;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * How the Spring adapters classify a failure, with the engine's rules ({@link EngineRules#isTransient}) applied to
 * every exception a Spring failure carries: its causes, and the <em>application exception</em> of a
 * {@link TransactionSystemException} (a rollback that failed after the work failed keeps the work's failure
 * there, outside the cause chain), plus Spring's own {@code TransientDataAccessException} and
 * {@code RecoverableDataAccessException}.
 */
final class FailureClass {
  private FailureClass() {}

  /** Whether a new transaction may cure {@code failure}. */
  static boolean isTransient(Throwable failure) {
    return transientPart(failure) != null;
  }

  /**
   * How {@code failure} was classified, for log lines: "transient (SQLSTATE 57P01 ...)" naming the exception that
   * made it transient, or "not transient".
   */
  static String describe(Throwable failure) {
    Throwable part = transientPart(failure);
    if (part == null) {
      return "not transient";
    }
    SQLException sql = firstSql(part);
    return sql != null && sql.getSQLState() != null
        ? "transient, SQLSTATE " + sql.getSQLState() + ": " + sql.getMessage()
        : "transient, " + part.getClass().getSimpleName() + ": " + part.getMessage();
  }

  /**
   * What failed, for log lines: "commit" (outcome unknown, {@link CommitOutcome}), "claim" (the key claim,
   * {@code DedupException} of kind {@code DATABASE}), "connection" (no transaction could begin), or "listener".
   */
  static String stage(Throwable failure) {
    if (failure instanceof CommitOutcome.Unknown) {
      return "commit";
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof DedupException d && d.kind() == DedupException.Kind.DATABASE) {
        return "claim";
      }
      if (t instanceof CannotCreateTransactionException) {
        return "connection";
      }
    }
    return "listener";
  }

  /** The first exception reachable from {@code failure} that the rules call transient, or null. */
  private static @Nullable Throwable transientPart(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> toVisit = new ArrayDeque<>();
    toVisit.add(failure);
    while (!toVisit.isEmpty()) {
      Throwable t = toVisit.poll();
      if (!seen.add(t)) {
        continue;
      }
      if (t instanceof TransientDataAccessException || t instanceof RecoverableDataAccessException
          || t instanceof SQLException && EngineRules.isTransient(t)) {
        return t;
      }
      if (t instanceof TransactionSystemException tse && tse.getApplicationException() != null) {
        toVisit.add(tse.getApplicationException());
      }
      if (t.getCause() != null) {
        toVisit.add(t.getCause());
      }
    }
    return EngineRules.isTransient(failure) ? failure : null;
  }

  private static @Nullable SQLException firstSql(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql;
      }
    }
    return null;
  }
}
