package io.github.kafkadedup.cli;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kafka-dedup audit}: the operator actions recorded in {@code dedup_audit} (forget, dead-letter replay and
 * discard), newest first, filtered by scope, key, action, operator and time. Needs SELECT on dedup_audit (the
 * owner role; the runtime role is not granted it).
 */
@Command(name = "audit", sortOptions = false,
    description = "Operator actions recorded in dedup_audit (forget, dead-letter replay/discard), newest first. "
        + "Needs SELECT on dedup_audit (the owner role).")
final class AuditCommand extends Subcommand {
  @Option(names = "--scope", paramLabel = "SCOPE", description = "only this scope")
  @Nullable String scope;

  @Option(names = "--key", paramLabel = "KEY", description = "only this key (its text, or its key id)")
  @Nullable String key;

  @Option(names = "--action", paramLabel = "ACTION",
      description = "only this action: forget, dead-letter-replay or dead-letter-discard")
  @Nullable String action;

  @Option(names = "--operator", paramLabel = "NAME", description = "only this --operator (or database role)")
  @Nullable String operator;

  @Option(names = "--since", paramLabel = "WHEN",
      description = "only from this time: an age (30m, 24h, 7d) or an instant (2026-12-07T10:00:00Z)")
  @Nullable String since;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
      description = "at most N rows, newest first (default ${DEFAULT-VALUE})")
  int limit = 50;

  @Override
  int run(Tables t) throws SQLException {
    if (limit < 1) {
      throw CliFailure.usage("--limit must be >= 1, but was " + limit);
    }
    if (action != null && !List.of("forget", "dead-letter-replay", "dead-letter-discard").contains(action)) {
      throw CliFailure.usage("--action must be forget, dead-letter-replay or dead-letter-discard, but was '"
          + action + "'");
    }
    Instant from = since == null ? null : since(since);
    if (!t.exists(t.audit())) {
      throw CliFailure.notMigrated("table " + t.audit() + " does not exist (schema version 4 adds it): run "
          + "kafka-dedup migrate with the same --schema/--prefix, or check them");
    }
    t.require("audit", "SELECT", t.audit());
    StringBuilder sql = new StringBuilder("SELECT id, done_at AS \"doneAt\", action, db_user AS \"dbUser\","
        + " operator, reason, scope, message_key AS key, key_id AS \"keyId\", dead_letter_id AS \"deadLetterId\","
        + " removed_generation AS \"removedGeneration\", removed_status::text AS \"removedStatus\","
        + " removed_partition AS \"removedPartition\", removed_offset AS \"removedOffset\" FROM " + t.audit()
        + " WHERE true");
    List<Object> args = new ArrayList<>();
    filter(sql, args, " AND scope = ?", scope);
    if (key != null) {
      sql.append(" AND (message_key = ? OR key_id = ?)");
      args.add(key);
      args.add(io.github.kafkadedup.migrations.DedupKeys.id(key));
    }
    filter(sql, args, " AND action = ?", action);
    if (operator != null) {
      sql.append(" AND (operator = ? OR db_user = ?)");
      args.add(operator);
      args.add(operator);
    }
    if (from != null) {
      sql.append(" AND done_at >= ?");
      args.add(java.sql.Timestamp.from(from));
    }
    sql.append(" ORDER BY id DESC LIMIT ").append(limit);
    List<Map<String, @Nullable Object>> rows = Sql.rows(t.c, sql.toString(), args.toArray());
    if (json) {
      Map<String, @Nullable Object> result = new LinkedHashMap<>();
      result.put("where", t.where());
      result.put("count", rows.size());
      result.put("limit", limit);
      result.put("actions", rows);
      printJson(result);
      return ExitCodes.OK;
    }
    out().println("kafka-dedup audit: " + t.where() + ", table " + t.audit());
    TextTable table = new TextTable("ID", "DONE", "ACTION", "BY", "SCOPE", "KEY", "REMOVED", "DEAD LETTER", "REASON");
    rows.forEach(r -> table.row(r.get("id"), r.get("doneAt"), r.get("action"), by(r), r.get("scope"),
        r.get("key") != null ? r.get("key") : r.get("keyId"), removed(r), r.get("deadLetterId"), r.get("reason")));
    String count = rows.size() + (rows.size() == 1 ? " action" : " actions");
    section(rows.size() == limit ? "The newest " + count + " (--limit " + limit + ")" : count, table);
    return ExitCodes.OK;
  }

  private static void filter(StringBuilder sql, List<Object> args, String clause, @Nullable String value) {
    if (value != null) {
      sql.append(clause);
      args.add(value);
    }
  }

  private static String by(Map<String, @Nullable Object> r) {
    return r.get("operator") == null ? String.valueOf(r.get("dbUser")) : r.get("operator") + " (" + r.get("dbUser")
        + ")";
  }

  private static @Nullable String removed(Map<String, @Nullable Object> r) {
    if (r.get("removedGeneration") == null) {
      return null;
    }
    return r.get("removedStatus") + " claim, generation " + r.get("removedGeneration") + ", partition "
        + r.get("removedPartition") + "@" + r.get("removedOffset");
  }

  /** An age ("90s", "30m", "24h", "7d") before now, or an ISO-8601 instant. */
  static Instant since(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    try {
      if (v.matches("\\d+[smhd]")) {
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        Duration age = switch (v.charAt(v.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          case 'h' -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
        return Instant.now().minus(age);
      }
      return Instant.parse(value.strip());
    } catch (DateTimeParseException | ArithmeticException e) {
      throw CliFailure.usage("--since must be an age (30m, 24h, 7d) or an instant (2026-12-07T10:00:00Z), but was '"
          + value + "'");
    }
  }
}
