package io.github.kafkadedup.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every subcommand has: the connection options, {@code --json}, {@code --help}, the output streams. */
abstract class Subcommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  DbOptions db = new DbOptions();

  @Option(names = "--json", description = "print one JSON object instead of tables (for scripts)")
  boolean json;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
  boolean help;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public Integer call() {
    try (Connection c = db.connect()) {
      return run(new Tables(c, db.dedupSchema()));
    } catch (SQLException e) {
      throw DbErrors.onStatement(e, spec.name());
    }
  }

  /** Runs the subcommand on an open autocommit connection; returns the exit code. */
  abstract int run(Tables tables) throws SQLException;

  void printJson(Map<String, ?> result) {
    out().println(Json.write(result));
  }

  /** A section of text output: a title line, then the table (or "none"). */
  void section(String title, TextTable table) {
    out().println();
    out().println(title);
    if (table.isEmpty()) {
      out().println("  (none)");
    } else {
      table.print(out());
    }
  }

  static @Nullable Instant seconds(@Nullable Instant at) {
    return at == null ? null : at.truncatedTo(ChronoUnit.SECONDS);
  }
}
