package io.github.kafkadedup.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The plain-text form of {@code status}: a header line, then one table per section, then the notes. */
final class StatusText {
  /** A consumer that wrote no heartbeat for this long is "silent" (12 intervals of the default 5 s). */
  private static final long SILENT_AFTER_SECONDS = 60;

  private StatusText() {}

  @SuppressWarnings("unchecked")
  static void print(Subcommand command, Map<String, @Nullable Object> r) {
    PrintWriter out = command.out();
    out.println("kafka-dedup status: " + r.get("where") + ", schema version " + r.get("schemaVersion")
        + ", database time " + r.get("databaseNow"));

    TextTable verdicts = new TextTable("SCOPE", "VERDICT", "LAG", "MEMBERS", "LAST BATCH", "LAST SEEN", "WHY");
    rows(r, "verdicts").forEach(v -> verdicts.row(v.get("scope"), v.get("verdict"), v.get("lag"), v.get("members"),
        Ages.ago(number(v.get("lastBatchSecondsAgo"))), Ages.ago(number(v.get("lastSeenSecondsAgo"))), v.get("why")));
    command.section("Verdicts (" + r.get("thresholds") + ")", verdicts);

    if (!rows(r, "partitions").isEmpty()) {
      TextTable lag = new TextTable("GROUP", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG", "HOST", "CLIENT-ID",
          "MEMBER-ID");
      rows(r, "partitions").forEach(p -> lag.row(p.get("group"), p.get("topic"), p.get("partition"),
          p.get("committedOffset"), p.get("endOffset"), p.get("lag"), p.get("host"), p.get("clientId"),
          p.get("memberId")));
      command.section("Lag per partition (offsets committed to Kafka; end = last stable offset)", lag);
    }

    TextTable consumers = new TextTable("SCOPE", "INSTANCE", "STATE", "LAST SEEN", "LAST BATCH", "RECORDS",
        "STARTED", "MEMBER-ID");
    rows(r, "consumers").forEach(c -> consumers.row(c.get("scope"), c.get("instance"), state(c),
        Ages.ago(number(c.get("seenAge"))), Ages.ago(number(c.get("progressAge"))), c.get("records"),
        c.get("startedAt"), c.get("memberId")));
    command.section("Consumers (heartbeats: last poll and last completed batch per instance)", consumers);

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

    if (!rows(r, "offsets").isEmpty()) {
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
      TextTable outbox = new TextTable("TOPIC", "UNPUBLISHED", "OLDEST", "OLDEST AGE");
      rows(r, "outbox").forEach(o -> outbox.row(o.get("topic"), o.get("unpublished"), o.get("oldestCreatedAt"),
          Ages.of(number(o.get("oldestAgeSeconds")))));
      command.section("Outbox backlog", outbox);
    }
    List<String> notes = (List<String>) r.get("notes");
    if (!notes.isEmpty()) {
      out.println();
      notes.forEach(n -> out.println("note: " + n));
    }
  }

  /** running, stopped (cleanly) or silent (no heartbeat for over a minute: crashed, blocked or unreachable). */
  private static String state(Map<String, @Nullable Object> heartbeat) {
    if (heartbeat.get("stoppedAt") != null) {
      return "stopped";
    }
    Long seen = number(heartbeat.get("seenAge"));
    return seen != null && seen > SILENT_AFTER_SECONDS ? "silent" : "running";
  }

  private static @Nullable Long number(@Nullable Object o) {
    return o == null ? null : ((Number) o).longValue();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, @Nullable Object>> rows(Map<String, @Nullable Object> r, String key) {
    return (List<Map<String, @Nullable Object>>) r.get(key);
  }
}
