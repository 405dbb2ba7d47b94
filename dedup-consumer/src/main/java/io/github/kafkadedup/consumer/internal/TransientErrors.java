package io.github.kafkadedup.consumer.internal;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/** Classifies failures: which are worth retrying the same transaction for (by SQLSTATE). */
public final class TransientErrors {
  /** SQLSTATEs that a retry of the same transaction can cure. */
  private static final Set<String> STATES = Set.of(
      "40001", // serialization_failure
      "40P01", // deadlock_detected
      "55P03", // lock_not_available
      "57P01", // admin_shutdown (pg_terminate_backend, server restart)
      "57P02", // crash_shutdown
      "57P03", // cannot_connect_now (server starting)
      "53300", // too_many_connections
      "57014"); // query_canceled (statement_timeout)

  private TransientErrors() {}

  /** Whether {@code failure} or one of its causes is a transient database error. */
  public static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || STATES.contains(state)) {
          return true;
        }
      }
    }
    return false;
  }
}
