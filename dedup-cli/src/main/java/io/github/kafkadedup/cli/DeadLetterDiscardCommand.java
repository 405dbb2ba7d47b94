package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kafka-dedup dead-letters discard (ID... | filters) --reason "..."}: gives the records up
 * ({@code DeadLetters.discardAll}: marked discarded, an unpublished dead-letter-topic copy removed, the key's D
 * claim kept; one transaction; audited). The head of a parked sequence needs {@code --release} or
 * {@code --with-followers}. Needs the owner role.
 */
@Command(name = "discard", sortOptions = false,
    description = {"Give dead letters up: each row is marked discarded and its copy still waiting in the outbox "
        + "is removed; the key's D claim stays (a re-send follows the consumer's deadLetteredReplay setting). "
        + "One transaction (all or nothing); each row recorded in the audit table. Needs the owner role.",
        "The head of a parked sequence: --release replays the records parked behind it in order, --with-followers "
            + "discards them with it."})
final class DeadLetterDiscardCommand extends DeadLetterActionCommand {
  @ArgGroup(exclusive = true)
  @Nullable Followers followersOption;

  /** --release | --with-followers. */
  static final class Followers {
    @Option(names = "--release", description = "a sequence head's parked records are replayed in order")
    boolean release;

    @Option(names = "--with-followers", description = "a sequence head's parked records are discarded with it")
    boolean withFollowers;
  }

  @Override
  String action() {
    return "discard";
  }

  @Override
  DeadLetters.@Nullable Followers followers() {
    if (followersOption == null) {
      return null;
    }
    return followersOption.release ? DeadLetters.Followers.RELEASE : DeadLetters.Followers.DISCARD;
  }

  @Override
  String effect(DeadLetter d, boolean done) {
    return d.source() + (d.key() == null ? "" : " key '" + d.key() + "'") + ": " + (done ? "was" : "would be")
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
