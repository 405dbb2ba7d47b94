package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import java.util.ArrayList;
import java.util.List;

/** The open dead letters (pending, published, held) that a filter selects, every page, oldest first. */
final class DeadLetterSelection {
  /** At most this many dead letters in one invocation (one transaction). */
  static final int MAX = 100_000;

  private DeadLetterSelection() {}

  static List<DeadLetter> byFilter(DeadLetterOps ops, DeadLetterFilterOptions filters) {
    List<DeadLetter> out = new ArrayList<>();
    for (DeadLetters.State state : DeadLetterActionCommand.OPEN) {
      long after = 0;
      while (true) {
        List<DeadLetter> page = ops.list(filters.applyTo(DeadLetters.Query.builder()).state(state).afterId(after)
            .limit(DeadLetters.Query.MAX_LIMIT).build());
        out.addAll(page);
        if (out.size() > MAX) {
          throw CliFailure.usage("the filters select more than " + MAX + " dead letters: narrow them (--since, "
              + "--group, --topic)");
        }
        if (page.size() < DeadLetters.Query.MAX_LIMIT) {
          break;
        }
        after = page.getLast().id();
      }
    }
    out.sort(java.util.Comparator.comparingLong(DeadLetter::id));
    return out;
  }
}
