package io.github.kafkadedup.testsupport;

import java.time.Duration;

/**
 * How long the test infrastructure waits for something to become ready (a broker or PostgreSQL to answer, a
 * child JVM to start). A loaded machine is the normal case: at load 15-25 on 2 cores a JVM takes 10-30 s to
 * start and a KRaft broker over a minute to answer, so the bound is generous (5 minutes) and a wait ends at
 * once when the process it waits for has died. {@code -Ddedup.test.readiness.seconds=N} changes it.
 */
public final class Readiness {
  /** The bound on every readiness wait of the test infrastructure. */
  public static final Duration BOUND = Duration.ofSeconds(Long.getLong("dedup.test.readiness.seconds", 300));

  private Readiness() {}
}
