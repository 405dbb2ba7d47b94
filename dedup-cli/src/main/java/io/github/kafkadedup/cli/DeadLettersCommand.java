package io.github.kafkadedup.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kafka-dedup dead-letters list|show|replay|discard}: the operator's side of the {@code dead_letters}
 * table (schema version 5), through the library's {@code io.github.kafkadedup.outbox.DeadLetters} API.
 */
@Command(name = "dead-letters",
    description = "The dead-lettered records stored in PostgreSQL: list them, count them by failure group, show one, "
        + "replay or discard them (by id or by filter).",
    subcommands = {DeadLetterListCommand.class, DeadLetterGroupsCommand.class, DeadLetterShowCommand.class,
        DeadLetterReplayCommand.class, DeadLetterDiscardCommand.class})
final class DeadLettersCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "dead-letters needs a subcommand: list, groups, show, replay or discard");
  }
}
