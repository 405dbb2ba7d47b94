package io.github.kafkadedup.cli;

import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kafka-dedup migrate}: applies kafka-dedup's migrations with {@link DedupMigrations#configure} (the
 * same Flyway setup the library uses), printing each version that ran. Needs the owner role.
 */
@Command(name = "migrate", sortOptions = false,
    description = "Apply kafka-dedup's migrations to --schema/--prefix, printing what ran. Needs the owner role.")
final class MigrateCommand extends Subcommand {
  @Option(names = "--dry-run", description = "list the pending migrations; apply nothing")
  boolean dryRun;

  @Option(names = "--yes", description = "apply without asking on a terminal (without a terminal, migrate never asks)")
  boolean yes;

  @Override
  public Integer call() {
    DedupSchema schema = db.dedupSchema();
    Flyway flyway = DedupMigrations.configure(db.dataSource(), schema).load();
    try {
      return dryRun ? pending(flyway, schema) : migrate(flyway, schema);
    } catch (FlywayException e) {
      throw translate(e);
    }
  }

  @Override
  int run(Tables tables) {
    throw new UnsupportedOperationException("migrate opens its own connections through Flyway");
  }

  private int pending(Flyway flyway, DedupSchema schema) {
    List<Map<String, @Nullable Object>> rows = new ArrayList<>();
    for (MigrationInfo m : flyway.info().pending()) {
      rows.add(row(m.getVersion().getVersion(), m.getDescription(), null));
    }
    MigrationInfo current = flyway.info().current();
    print(schema, rows, current == null ? "none" : current.getVersion().getVersion(), "pending");
    return ExitCodes.OK;
  }

  private int migrate(Flyway flyway, DedupSchema schema) {
    if (!confirmed(flyway, schema)) {
      err().println("migrate: nothing applied (not confirmed)");
      return ExitCodes.USAGE;
    }
    MigrateResult result;
    try (Progress p = Progress.start(err(), "migrating " + schema.schema())) {
      result = flyway.migrate();
    }
    List<Map<String, @Nullable Object>> rows = new ArrayList<>();
    for (MigrateOutput m : result.migrations) {
      rows.add(row(m.version, m.description, m.executionTime));
    }
    MigrationInfo current = flyway.info().current();
    print(schema, rows, current == null ? "none" : current.getVersion().getVersion(), "applied");
    return ExitCodes.OK;
  }

  /**
   * Names the database, schema and pending versions it is about to change (on standard error), and asks on a
   * terminal unless {@code --yes}; scripts (no terminal) are not asked.
   */
  private boolean confirmed(Flyway flyway, DedupSchema schema) {
    MigrationInfo[] pending = flyway.info().pending();
    if (pending.length == 0) {
      return true;
    }
    String database;
    try (Connection c = db.connect()) {
      database = Confirmation.database(new Tables(c, schema));
    } catch (SQLException e) {
      throw DbErrors.onStatement(e, "migrate");
    }
    StringBuilder versions = new StringBuilder();
    for (MigrationInfo m : pending) {
      versions.append(versions.isEmpty() ? "" : ", ").append(m.getVersion().getVersion());
    }
    err().println("migrate will apply version(s) " + versions + " to database " + database + ", schema "
        + schema.schema() + (schema.tablePrefix().isEmpty() ? "" : " (prefix " + schema.tablePrefix() + ")"));
    return !Confirmation.interactive() || Confirmation.confirmed(yes, err(), "apply them?");
  }

  private static Map<String, @Nullable Object> row(String version, String description, @Nullable Integer ms) {
    Map<String, @Nullable Object> row = new LinkedHashMap<>();
    row.put("version", version);
    row.put("description", description);
    row.put("ms", ms);
    return row;
  }

  private void print(DedupSchema schema, List<Map<String, @Nullable Object>> rows, String current, String verb) {
    if (json) {
      Map<String, @Nullable Object> result = new LinkedHashMap<>();
      result.put("schema", schema.schema());
      result.put("prefix", schema.tablePrefix());
      result.put("dryRun", dryRun);
      result.put(verb, rows);
      result.put("currentVersion", current);
      printJson(result);
      return;
    }
    String where = schema.schema() + (schema.tablePrefix().isEmpty() ? "" : " (prefix " + schema.tablePrefix() + ")");
    if (rows.isEmpty()) {
      out().println("schema " + where + " is up to date at version " + current + (dryRun ? "" : "; nothing applied"));
      return;
    }
    TextTable table = new TextTable("VERSION", "DESCRIPTION", dryRun ? "" : "TIME (ms)");
    rows.forEach(r -> table.row(r.get("version"), r.get("description"), dryRun ? "" : r.get("ms")));
    out().println((dryRun ? "pending in " : "applied to ") + where + ":");
    table.print(out());
    out().println((dryRun ? "current version " : "now at version ") + current
        + (dryRun ? " (dry run: nothing applied)" : ""));
  }

  private CliFailure translate(FlywayException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql) {
        String state = sql.getSQLState() == null ? "" : sql.getSQLState();
        if (state.startsWith("08") || state.startsWith("28") || state.equals("3D000")) {
          return DbErrors.onConnect(sql, db.url(), db.user);
        }
        return DbErrors.onStatement(sql, "migrating (" + firstLine(e.getMessage()) + ")");
      }
    }
    return CliFailure.failed("migration failed: " + e.getMessage());
  }

  private static String firstLine(@Nullable String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
