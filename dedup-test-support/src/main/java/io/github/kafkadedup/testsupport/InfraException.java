package io.github.kafkadedup.testsupport;

/** A test service (PostgreSQL, Kafka, a child JVM) could not be started or reached. Fails the test. */
public final class InfraException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  InfraException(String message, Throwable cause) {
    super(message, cause);
  }

  InfraException(String message) {
    super(message);
  }
}
