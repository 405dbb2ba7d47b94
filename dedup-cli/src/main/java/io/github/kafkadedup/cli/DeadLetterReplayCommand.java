package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetter;
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
        "Fix the cause first (the handler, the data): a replay of a record that still fails is dead-lettered again."})
final class DeadLetterReplayCommand extends DeadLetterActionCommand {
  @Override
  String action() {
    return "replay";
  }

  @Override
  String effect(DeadLetter d) {
    String key = d.key() == null ? "no key, so no claim to remove" : "the D claim of key '" + d.key()
        + "' in scope '" + d.scope() + "' " + (dryRun ? "would be" : "was") + " removed";
    return d.source() + ": " + key + "; the original record " + (dryRun ? "would go" : "went") + " to the outbox for "
        + "topic " + d.sourceTopic() + (dryRun ? "" : " (the outbox relay publishes it)");
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
