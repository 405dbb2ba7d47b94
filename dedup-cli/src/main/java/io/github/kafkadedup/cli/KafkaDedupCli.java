package io.github.kafkadedup.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code kafka-dedup} command: {@code status}, {@code lookup}, {@code audit}, {@code forget},
 * {@code dead-letters list|show|replay|discard}, {@code retention plan|run} and {@code migrate} against
 * kafka-dedup's tables in PostgreSQL (and, for {@code status}'s lag and members, Kafka).
 * Run it with {@code ./kafka-dedup} at the repository root or {@code java -jar dedup-cli/target/kafka-dedup.jar}.
 *
 * <p>Exit codes: 0 done (lookup: found), 1 not found, 2 wrong options, 3 the database or broker cannot be
 * reached or the role lacks a right, 4 kafka-dedup's tables are missing, 5 any other failure.
 */
@Command(name = "kafka-dedup", sortOptions = false,
    description = "Operate kafka-dedup: is it stuck, what was processed, what operators did, what to forget, "
        + "dead letters, what retention drops, migrations.",
    footer = {"", "Connection: --jdbc-url/--user/--password or DEDUP_JDBC_URL/DEDUP_JDBC_USER/DEDUP_JDBC_PASSWORD;",
        "Kafka (status lag, retention replay guard): --bootstrap-servers or DEDUP_KAFKA_BOOTSTRAP.",
        "Exit codes: 0 ok/found, 1 not found, 2 usage, 3 connection or permission, 4 tables missing "
            + "(run kafka-dedup migrate), 5 other failure."})
public final class KafkaDedupCli implements Runnable {
  /**
   * The subcommands in the order the help lists them. Only the one named on the command line is given to picocli
   * (all of them for help or a typo): picocli reads each command class's annotations by reflection, and its
   * classes (Java 5 bytecode) are verified the slow way and never class-data-shared, so every class it need
   * not read is start-up time saved.
   */
  private static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
  private boolean help;

  private KafkaDedupCli() {}

  /**
   * Runs the command and exits the JVM with its exit code.
   *
   * @param args the command line, for example {@code status --json}
   */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, out, err, System.getenv()));
  }

  /**
   * Runs the command without exiting: the entry point of {@link #main} and of the tests.
   *
   * @param args the command line, for example {@code lookup --scope orders --key order-42}
   * @param out where results go (tables, or JSON with {@code --json})
   * @param err where errors and progress go
   * @param environment the environment variables that stand in for unset options ({@code DEDUP_JDBC_URL}, ...)
   * @return the exit code (see the class description)
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    Terminal terminal = Terminal.of(environment);
    Terminal.setCurrent(terminal);
    try {
      CommandLine cli = new CommandLine(new KafkaDedupCli());
      Class<?> named = args.length == 0 || "help".equals(args[0]) ? null : SUBCOMMANDS.get(args[0]);
      if (named != null) {
        cli.addSubcommand(args[0], named);
      } else {
        SUBCOMMANDS.forEach(cli::addSubcommand);
      }
      cli.setOut(out)
          .setErr(err)
          .setUsageHelpWidth(terminal.helpWidth())
          .setDefaultValueProvider(new EnvironmentDefaults(environment))
          .setParameterExceptionHandler(KafkaDedupCli::usageError)
          .setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof CliFailure failure) {
              commandLine.getErr().println("kafka-dedup " + commandLine.getCommandName() + ": " + e.getMessage());
              return failure.exitCode();
            }
            // not picocli's default (exit 1 would read as "not found"): an unexpected failure, with its trace
            commandLine.getErr().println("kafka-dedup " + commandLine.getCommandName() + ": unexpected failure: " + e);
            e.printStackTrace(commandLine.getErr());
            return ExitCodes.FAILED;
          });
      int code = cli.execute(args);
      out.flush();
      err.flush();
      return code;
    } finally {
      Terminal.setCurrent(null);
    }
  }

  private static Map<String, Class<?>> subcommands() {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put("status", StatusCommand.class);
    m.put("lookup", LookupCommand.class);
    m.put("audit", AuditCommand.class);
    m.put("forget", ForgetCommand.class);
    m.put("dead-letters", DeadLettersCommand.class);
    m.put("retention", RetentionCommand.class);
    m.put("migrate", MigrateCommand.class);
    m.put("help", CommandLine.HelpCommand.class);
    return m;
  }

  /**
   * A usage error: the one line that says what is wrong and where the help is, not the whole usage (which
   * scrolled that line away); a close option name is suggested.
   */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    err.println("kafka-dedup: " + e.getMessage());
    if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
      List<String> suggestions = unmatched.getSuggestions();
      if (!suggestions.isEmpty()) {
        err.println("Did you mean: " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size())))
            + "?");
      }
    }
    err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
    return ExitCodes.USAGE;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "a subcommand is required");
  }
}
