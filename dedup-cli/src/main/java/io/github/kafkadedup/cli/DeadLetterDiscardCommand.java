package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetter;
import picocli.CommandLine.Command;

/**
 * {@code kafka-dedup dead-letters discard ID... --reason "..."}: gives the records up
 * ({@code DeadLetters.discard}: marked discarded, an unpublished dead-letter-topic copy removed, the key's D
 * claim kept; audited). Needs the owner role.
 */
@Command(name = "discard", sortOptions = false,
    description = {"Give dead letters up: each row is marked discarded and its copy still waiting in the outbox "
        + "is removed; the key's D claim stays (a re-send follows the consumer's deadLetteredReplay setting). "
        + "Recorded in the audit table. Needs the owner role."})
final class DeadLetterDiscardCommand extends DeadLetterActionCommand {
  @Override
  String action() {
    return "discard";
  }

  @Override
  String effect(DeadLetter d) {
    return d.source() + (d.key() == null ? "" : " key '" + d.key() + "'") + ": " + (dryRun ? "would be" : "was")
        + " marked discarded" + (d.publishedAt() == null && d.dltTopic() != null ? ", its unpublished copy for "
            + d.dltTopic() + " removed from the outbox" : "") + "; the key's D claim stays";
  }

  @Override
  void requireRights(Tables t) {
    String command = "dead-letters discard";
    t.require(command, "SELECT", t.deadLetters(), t.outbox());
    t.require(command, "UPDATE", t.deadLetters());
    t.require(command, "DELETE", t.outbox());
    t.require(command, "INSERT", t.audit());
  }
}
