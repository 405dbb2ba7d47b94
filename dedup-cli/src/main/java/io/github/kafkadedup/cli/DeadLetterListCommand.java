package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kafka-dedup dead-letters list}: the dead letters that match the filters, oldest first, a page at a time. */
@Command(name = "list", sortOptions = false,
    description = {"The dead letters that match the filters, oldest first (without their bytes: see show). "
        + "Works with the runtime role.", "Next page: --after-id with the last ID printed."})
final class DeadLetterListCommand extends Subcommand {
  @Mixin
  DeadLetterReadFilters filters = new DeadLetterReadFilters();

  @Option(names = "--after-id", paramLabel = "ID", defaultValue = "0",
      description = "only ids greater than this (the next page; default ${DEFAULT-VALUE})")
  long afterId;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
      description = "at most this many rows, 1 to 10000 (default ${DEFAULT-VALUE})")
  int limit = 100;

  @Override
  int run(Tables t) throws SQLException {
    t.requireDeadLetterTable();
    t.require("dead-letters list", "SELECT", t.deadLetters());
    DeadLetters.Query query;
    try {
      query = filters.query().afterId(afterId).limit(limit).build();
    } catch (IllegalArgumentException e) {
      throw CliFailure.usage("--after-id/--limit: " + e.getMessage());
    }
    List<DeadLetter> found;
    try (Progress p = Progress.start(err(), "reading " + t.deadLetters())) {
      found = DeadLetterOps.of(db, t).list(query);
    }
    Long next = found.size() == limit ? found.getLast().id() : null;
    if (json) {
      List<Map<String, @Nullable Object>> rows = new ArrayList<>();
      found.forEach(d -> rows.add(DeadLetterText.describe(d)));
      Map<String, @Nullable Object> result = new LinkedHashMap<>();
      result.put("count", found.size());
      result.put("nextAfterId", next);
      result.put("deadLetters", rows);
      printJson(result);
      return ExitCodes.OK;
    }
    if (found.isEmpty()) {
      out().println("no dead letters" + (afterId > 0 ? " after id " + afterId : "") + " match");
      return ExitCodes.OK;
    }
    TextTable table = new TextTable("ID", "CREATED", "STATE", "REASON", "SCOPE", "KEY", "RECORD KEY", "SOURCE",
        "ERROR");
    for (DeadLetter d : found) {
      table.row(d.id(), seconds(d.createdAt()), d.state().column(), d.reason().column(), d.scope(),
          DeadLetterText.shorten(d.key(), 40), DeadLetterText.shorten(d.recordKey(), 30), d.source(),
          DeadLetterText.shorten(DeadLetterText.error(d), 60));
    }
    table.print(out());
    if (next != null) {
      out().println("(first " + limit + " shown; next page: --after-id " + next + ")");
    }
    return ExitCodes.OK;
  }
}
