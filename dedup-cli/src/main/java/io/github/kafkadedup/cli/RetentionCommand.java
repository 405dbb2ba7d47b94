package io.github.kafkadedup.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code kafka-dedup retention plan|run}: the two subcommands share {@link RetentionOptions}. */
@Command(name = "retention", description = "What retention would drop now and why not more (plan), or do it (run).",
    subcommands = {RetentionPlanCommand.class, RetentionRunCommand.class})
final class RetentionCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "retention needs a subcommand: plan or run");
  }
}
