package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.FailureGroup;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code kafka-dedup dead-letters groups}: the dead letters counted by failure group, largest first. */
@Command(name = "groups", sortOptions = false,
    description = {"The dead letters counted by failure group (one scope, topic, reason, exception class and "
        + "message with its numbers and ids masked), largest first, with the first and last seen. Works with the "
        + "runtime role.", "Act on a group: dead-letters replay --group FINGERPRINT (or discard), --dry-run first."})
final class DeadLetterGroupsCommand extends Subcommand {
  @Mixin
  DeadLetterReadFilters filters = new DeadLetterReadFilters();

  @Override
  int run(Tables t) throws SQLException {
    t.requireDeadLetterTable();
    t.require("dead-letters groups", "SELECT", t.deadLetters());
    List<FailureGroup> groups;
    try (Progress p = Progress.start(err(), "counting " + t.deadLetters())) {
      groups = DeadLetterOps.of(db, t).groups(filters.query().build());
    }
    if (json) {
      List<Map<String, @Nullable Object>> rows = new ArrayList<>();
      for (FailureGroup g : groups) {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("group", g.fingerprint());
        m.put("count", g.count());
        m.put("open", g.open());
        m.put("firstSeen", seconds(g.firstSeen()));
        m.put("lastSeen", seconds(g.lastSeen()));
        m.put("scope", g.scope());
        m.put("topic", g.topic());
        m.put("reason", g.reason().column());
        m.put("exceptionClass", g.exceptionClass());
        m.put("message", g.message());
        rows.add(m);
      }
      Map<String, @Nullable Object> result = new LinkedHashMap<>();
      result.put("count", groups.size());
      result.put("groups", rows);
      printJson(result);
      return ExitCodes.OK;
    }
    if (groups.isEmpty()) {
      out().println("no dead letters match");
      return ExitCodes.OK;
    }
    TextTable table = new TextTable("GROUP", "COUNT", "OPEN", "FIRST SEEN", "LAST SEEN", "SCOPE", "TOPIC", "REASON",
        "EXCEPTION", "MESSAGE");
    for (FailureGroup g : groups) {
      table.row(g.fingerprint(), g.count(), g.open(), seconds(g.firstSeen()), seconds(g.lastSeen()), g.scope(),
          g.topic(), g.reason().column(), DeadLetterText.shorten(simpleName(g.exceptionClass()), 40),
          DeadLetterText.shorten(g.message(), 60));
    }
    table.print(out());
    return ExitCodes.OK;
  }

  private static @Nullable String simpleName(@Nullable String className) {
    return className == null ? null : className.substring(className.lastIndexOf('.') + 1);
  }
}
