/**
 * Real PostgreSQL and a real Kafka broker for kafka-dedup's own tests, plus child JVMs that a test can
 * kill with SIGKILL. Not a published artifact.
 *
 * <p>Selection, once per test JVM: {@code DEDUP_TEST_JDBC_URL} / {@code DEDUP_TEST_KAFKA_BOOTSTRAP}
 * point at external servers; {@code DEDUP_TEST_INFRA=testcontainers} uses Testcontainers (and fails
 * when Docker is missing); otherwise an embedded real PostgreSQL (zonky) and an in-process KRaft
 * broker start. A service that cannot start throws {@link io.github.kafkadedup.testsupport.InfraException}:
 * the test fails, it is never skipped.
 *
 * <p>{@link io.github.kafkadedup.testsupport.PgFaultProxy} sits between a client and PostgreSQL to cut a
 * connection right after the server answered {@code COMMIT} (or any chosen statement), to delay every
 * message, or to cut every connection at once.
 */
package io.github.kafkadedup.testsupport;
