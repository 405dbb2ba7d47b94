package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

/**
 * {@code kafka-dedup dead-letters replay ID... --reason "..."}: runs each record through its consumer again,
 * exactly once ({@code DeadLetters.replay}: its key's D claim removed, the original record put back on its
 * topic through the outbox, the row marked replayed, all in one transaction, audited). Needs the owner role.
 */
@Command(name = "replay", sortOptions = false,
    description = {"Put dead letters back on their source topic so their consumer handles them again, exactly once: "
        + "in one transaction the key's D claim is removed, the original record goes to the outbox (the relay "
        + "publishes it) and the row is marked replayed; recorded in the audit table. Needs the owner role.",
        "A key is replayed once: its other dead letters become superseded; a dead letter whose key has been applied "
            + "since (its claim is P) is superseded, never replayed (a P claim is never removed). --dry-run runs the "
            + "same transaction and rolls it back.",
        "Fix the cause first (the handler, the data): a replay of a record that still fails is dead-lettered again."})
final class DeadLetterReplayCommand extends DeadLetterActionCommand {
  @Override
  String action() {
    return "replay";
  }

  @Override
  String effect(DeadLetter d) {
    return d.source() + ": see the replay's result";
  }

  @Override
  String effect(DeadLetters.ReplayResult r) {
    DeadLetter d = r.deadLetter();
    String others = r.superseded().stream().filter(id -> id != d.id()).map(String::valueOf)
        .collect(Collectors.joining(", "));
    if (!r.sent()) {
      return d.source() + ": key '" + d.key() + "' in scope '" + d.scope() + "' has been applied since (its claim "
          + "is P): nothing " + (r.dryRun() ? "would be" : "was") + " sent, no claim touched; " + (r.dryRun()
          ? "it would be marked superseded" : "marked superseded") + (others.isEmpty() ? "" : ", with " + others);
    }
    String claim = d.key() == null ? "no key, so no claim to remove"
        : r.removedClaimStatus() == null ? "key '" + d.key() + "' in scope '" + d.scope() + "' had no claim"
        : "the D claim of key '" + d.key() + "' in scope '" + d.scope() + "' " + (r.dryRun() ? "would be" : "was")
            + " removed";
    return d.source() + ": " + claim + "; the original record " + (r.dryRun() ? "would go" : "went") + " to the "
        + "outbox for topic " + d.sourceTopic() + (r.dryRun() ? "" : " (the outbox relay publishes it)")
        + (others.isEmpty() ? "" : "; the key's other dead letters " + others + (r.dryRun() ? " would be" : " were")
            + " marked superseded (a key is replayed once)");
  }

  @Override
  void requireRights(Tables t) {
    String command = "dead-letters replay";
    t.require(command, "SELECT", t.deadLetters(), t.claims(), t.scopes(), t.outbox());
    t.require(command, "UPDATE", t.deadLetters());
    t.require(command, "DELETE", t.claims(), t.outbox());
    t.require(command, "INSERT", t.outbox(), t.audit());
  }
}
