package io.github.kafkadedup.consumer.internal;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.DedupMetrics;
import io.github.kafkadedup.consumer.DuplicateCause;
import java.util.ArrayList;
import java.util.List;

/** Counts of one committed transaction (or a sum of them). */
final class Tally {
  int processed;
  int redeliveries;
  int resends;
  int deadLettered;
  /** Records parked behind a dead letter of their sequence, or queued behind its replay (sequencing). */
  int parked;
  final List<DedupException.Kind> deadLetterKinds = new ArrayList<>();
  /** What to do once the transaction committed (sequencing: forget a released sequence). */
  final List<Runnable> afterCommit = new ArrayList<>();

  void add(Tally other) {
    processed += other.processed;
    redeliveries += other.redeliveries;
    resends += other.resends;
    deadLettered += other.deadLettered;
    parked += other.parked;
    deadLetterKinds.addAll(other.deadLetterKinds);
    afterCommit.addAll(other.afterCommit);
  }

  /** Runs the after-commit actions and reports the counts: call once the transactions committed. */
  void report(DedupMetrics metrics, String scope) {
    afterCommit.forEach(Runnable::run);
    afterCommit.clear();
    reportCounts(metrics, scope, processed, redeliveries, resends);
    deadLetterKinds.forEach(kind -> metrics.deadLettered(scope, kind));
  }

  /**
   * Turns the counts of a committed transaction into {@link DedupMetrics} calls (none for a zero count): the one
   * home of this rule, for the engine ({@link #report}) and the Spring adapters ({@link Classifier.Verdict#report}).
   */
  static void reportCounts(DedupMetrics metrics, String scope, int processed, int redeliveries, int resends) {
    if (processed > 0) {
      metrics.processed(scope, processed);
    }
    if (redeliveries > 0) {
      metrics.duplicates(scope, DuplicateCause.REDELIVERY, redeliveries);
    }
    if (resends > 0) {
      metrics.duplicates(scope, DuplicateCause.RESEND, resends);
    }
  }
}
