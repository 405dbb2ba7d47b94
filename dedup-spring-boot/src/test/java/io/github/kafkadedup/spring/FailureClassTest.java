package io.github.kafkadedup.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.kafkadedup.consumer.DedupException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.FixedBackOff;

/** The Spring shapes of a database failure, and the BackOff of transient failures. */
class FailureClassTest {

  @Test
  void aFailedRollbackKeepsTheWorksFailureAsItsApplicationExceptionAndThatDecides() {
    TransactionSystemException rollbackFailed =
        new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed"));
    assertThat(DedupListeners.isTransient(rollbackFailed)).isFalse(); // alone: no SQLSTATE, nothing to go on
    rollbackFailed.initApplicationException(DedupException.database("claiming 4 keys failed",
        new SQLException("FATAL: terminating connection due to administrator command", "57P01")));
    assertThat(DedupListeners.isTransient(rollbackFailed)).isTrue();
    assertThat(DedupListeners.isTransient(new BatchListenerFailedException("at orders-0@3", rollbackFailed, 3)))
        .isTrue();
    assertThat(FailureClass.describe(rollbackFailed)).startsWith("transient, SQLSTATE 57P01");
    assertThat(FailureClass.stage(rollbackFailed)).isEqualTo("listener");
    assertThat(FailureClass.stage(rollbackFailed.getApplicationException())).isEqualTo("claim");

    TransactionSystemException poison = new TransactionSystemException("JDBC rollback failed");
    poison.initApplicationException(new IllegalStateException("poison"));
    assertThat(DedupListeners.isTransient(poison)).isFalse();
    assertThat(FailureClass.describe(poison)).isEqualTo("not transient");
  }

  @Test
  void aPoolThatCannotConnectIsTransient() {
    CannotCreateTransactionException noConnection = new CannotCreateTransactionException(
        "Could not open JDBC Connection for transaction",
        new SQLTransientConnectionException("HikariPool-1 - Connection is not available, request timed out"));
    assertThat(DedupListeners.isTransient(noConnection)).isTrue();
    assertThat(FailureClass.stage(noConnection)).isEqualTo("connection");
    assertThat(DedupListeners.isTransient(new CannotCreateTransactionException("refused",
        new SQLException("Connection to 127.0.0.1:5432 refused", "08001")))).isTrue();
  }

  @Test
  void transientFailuresOutlastTheHandlersBackOffAtItsLastInterval() {
    DefaultErrorHandler handler = new DefaultErrorHandler(new FixedBackOff(1_500, 2));
    BackOffExecution execution = TransientBackOff.of(handler).start();
    assertThat(execution.nextBackOff()).isEqualTo(1_500);
    assertThat(execution.nextBackOff()).isEqualTo(1_500);
    for (int i = 0; i < 100; i++) {
      assertThat(execution.nextBackOff()).isEqualTo(1_500); // never STOP: never the recoverer
    }
    BackOffExecution quick = TransientBackOff.of(new DefaultErrorHandler(new FixedBackOff(0, 1))).start();
    assertThat(quick.nextBackOff()).isZero();
    assertThat(quick.nextBackOff()).isEqualTo(TransientBackOff.MIN_REPEAT_MS);
  }
}
