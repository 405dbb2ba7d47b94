package io.github.kafkadedup.cli;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kafka-dedup forget --scope S --key K --reason "..."}: removes the claim so that a corrected message
 * with the same key is processed again, and records who, when, why and what in {@code dedup_audit}, in one
 * transaction. Needs the owner role (DELETE on the claims, INSERT on the audit table).
 */
@Command(name = "forget", sortOptions = false,
    description = {"Remove a key's claim so a corrected message with that key is processed again. "
        + "Recorded in the audit table (who, when, why, what). Needs the owner role.",
        "The consumer does not re-read old offsets by itself: re-send the corrected message, or reset the offsets."})
final class ForgetCommand extends Subcommand {
  @Mixin
  KeyOptions key = new KeyOptions();

  @Option(names = "--reason", required = true, paramLabel = "TEXT",
      description = "why (required; stored in the audit table), e.g. a ticket number")
  String reason = "";

  @Option(names = "--operator", paramLabel = "NAME",
      description = "who runs this, stored beside the database role (e.g. when the role is shared)")
  @Nullable String operator;

  @Option(names = "--dry-run", description = "show what would be removed; remove and record nothing")
  boolean dryRun;

  @Override
  int run(Tables t) throws SQLException {
    if (reason.isBlank()) {
      throw CliFailure.usage("--reason must say why the claim is removed (it is stored in the audit table), "
          + "but was blank");
    }
    t.requireClaimTables();
    if (!t.exists(t.audit())) {
      throw CliFailure.notMigrated("table " + t.audit() + " does not exist: forget records every removal there. "
          + "Run kafka-dedup migrate (schema version 4 adds it)");
    }
    t.require("forget", "SELECT", t.claims(), t.scopes(), t.generations());
    t.require("forget", "DELETE", t.claims());
    t.require("forget", "INSERT", t.audit());
    if (key.text() != null && t.exists(t.legacy())) {
      t.require("forget", "DELETE", t.legacy());
    }
    t.c.setAutoCommit(false);
    try {
      List<Map<String, @Nullable Object>> removed = new ClaimFinder(t, key).delete();
      for (Map<String, @Nullable Object> claim : removed) {
        audit(t, claim);
      }
      if (dryRun || removed.isEmpty()) {
        t.c.rollback();
      } else {
        t.c.commit();
      }
      report(removed);
      return removed.isEmpty() ? ExitCodes.NOT_FOUND : ExitCodes.OK;
    } catch (SQLException | RuntimeException e) {
      t.c.rollback();
      throw e;
    }
  }

  private void audit(Tables t, Map<String, @Nullable Object> claim) throws SQLException {
    try (PreparedStatement ps = t.c.prepareStatement("INSERT INTO " + t.audit() + " (operator, action, reason,"
        + " scope, message_key, key_id, removed_generation, removed_status, removed_partition, removed_offset)"
        + " VALUES (?, 'forget', ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, operator);
      ps.setString(2, reason);
      ps.setString(3, key.scope);
      ps.setString(4, key.text());
      ps.setObject(5, key.id());
      ps.setInt(6, ((Number) claim.get("generation")).intValue());
      ps.setString(7, (String) claim.get("status"));
      ps.setInt(8, ((Number) claim.get("partition")).intValue());
      ps.setLong(9, ((Number) claim.get("offset")).longValue());
      ps.executeUpdate();
    }
  }

  private void report(List<Map<String, @Nullable Object>> removed) {
    Map<String, @Nullable Object> result = LookupCommand.describe(key, removed);
    result.put("dryRun", dryRun);
    result.put("removed", dryRun ? 0 : removed.size());
    result.put("reason", reason);
    if (json) {
      printJson(result);
      return;
    }
    String what = "scope '" + key.scope + "', " + key.describe();
    if (removed.isEmpty()) {
      out().println("NOT FOUND  " + what + ": no claim to remove, nothing recorded");
      return;
    }
    for (Map<String, @Nullable Object> c : removed) {
      out().println((dryRun ? "WOULD REMOVE  " : "REMOVED  ") + what + ": " + c.get("state") + ", generation "
          + c.get("generation") + ", first seen at partition " + c.get("partition") + "@" + c.get("offset"));
    }
    out().println(dryRun ? "dry run: nothing removed, nothing recorded"
        : "recorded in the audit table with reason: " + reason);
    if (!dryRun) {
      out().println("next: re-send the corrected message with the same key (or reset the consumer's offsets); "
          + "it will be processed as new");
    }
  }
}
