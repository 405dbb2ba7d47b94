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
  final List<DedupException.Kind> deadLetterKinds = new ArrayList<>();

  void add(Tally other) {
    processed += other.processed;
    redeliveries += other.redeliveries;
    resends += other.resends;
    deadLettered += other.deadLettered;
    deadLetterKinds.addAll(other.deadLetterKinds);
  }

  void report(DedupMetrics metrics, String scope) {
    if (processed > 0) {
      metrics.processed(scope, processed);
    }
    if (redeliveries > 0) {
      metrics.duplicates(scope, DuplicateCause.REDELIVERY, redeliveries);
    }
    if (resends > 0) {
      metrics.duplicates(scope, DuplicateCause.RESEND, resends);
    }
    deadLetterKinds.forEach(kind -> metrics.deadLettered(scope, kind));
  }
}
