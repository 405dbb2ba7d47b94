package io.github.kafkadedup.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The plain-text form of {@code status}: a header line, then one table per section, then the notes. */
final class StatusText {
  private StatusText() {}

  @SuppressWarnings("unchecked")
  static void print(Subcommand command, Map<String, @Nullable Object> r) {
    PrintWriter out = command.out();
    String prefix = (String) r.get("prefix");
    out.println("kafka-dedup status: schema " + r.get("schema") + (prefix.isEmpty() ? "" : " prefix " + prefix)
        + ", version " + r.get("schemaVersion") + ", role " + r.get("role") + ", database time " + r.get("databaseNow"));

    TextTable generations = new TextTable("GENERATION", "STARTED", "ENDED", "");
    rows(r, "generations").forEach(g -> generations.row(g.get("generation"),
        g.get("startedAt") == null ? "(V1 table)" : g.get("startedAt"), g.get("endedAt"),
        Boolean.TRUE.equals(g.get("current")) ? "current" : ""));
    command.section("Generations", generations);

    TextTable scopes = new TextTable("SCOPE", "CLAIMS", "DEAD-LETTERED", "GENERATIONS", "OLDEST GEN START",
        "NEWEST GEN START");
    rows(r, "scopes").forEach(s -> scopes.row(s.get("scope"), s.get("claims"), s.get("deadLettered"),
        s.get("generations"), s.get("oldestGenerationStart"), s.get("newestGenerationStart")));
    command.section("Scopes", scopes);

    TextTable claims = new TextTable("SCOPE", "GENERATION", "STARTED", "PROCESSED", "DEAD-LETTERED");
    rows(r, "claims").forEach(c -> claims.row(c.get("scope"), c.get("generation"), c.get("generationStartedAt"),
        c.get("processed"), c.get("deadLettered")));
    command.section("Claims per generation", claims);

    if (r.get("offsets") != null) {
      TextTable offsets = new TextTable("SCOPE", "TOPIC", "PARTITION", "NEXT OFFSET", "END OFFSET", "LAG", "UPDATED");
      rows(r, "offsets").forEach(o -> offsets.row(o.get("scope"), o.get("topic"), o.get("partition"),
          o.get("nextOffset"), o.get("endOffset"), o.get("lag"), o.get("updatedAt")));
      command.section("Offsets stored in PostgreSQL", offsets);
    }
    if (r.get("deadLetters") != null) {
      TextTable deadLetters = new TextTable("REASON", "STATE", "COUNT", "OLDEST", "NEWEST");
      rows(r, "deadLetters").forEach(d -> deadLetters.row(d.get("reason"), d.get("state"), d.get("count"),
          d.get("oldest"), d.get("newest")));
      command.section("Dead letters (kafka-dedup dead-letters list --state ... to see them)", deadLetters);
    }
    if (r.get("outbox") != null) {
      TextTable outbox = new TextTable("TOPIC", "UNPUBLISHED", "OLDEST");
      rows(r, "outbox").forEach(o -> outbox.row(o.get("topic"), o.get("unpublished"), o.get("oldestCreatedAt")));
      command.section("Outbox backlog", outbox);
    }
    List<String> notes = (List<String>) r.get("notes");
    if (!notes.isEmpty()) {
      out.println();
      notes.forEach(n -> out.println("note: " + n));
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, @Nullable Object>> rows(Map<String, @Nullable Object> r, String key) {
    return (List<Map<String, @Nullable Object>>) r.get(key);
  }
}
