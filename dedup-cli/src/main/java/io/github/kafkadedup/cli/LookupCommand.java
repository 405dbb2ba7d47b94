package io.github.kafkadedup.cli;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code kafka-dedup lookup --scope S --key K}: was this key processed or dead-lettered, in which generation,
 * first seen at which partition and offset. Exit 0 found, 1 not found. Needs only SELECT.
 */
@Command(name = "lookup", sortOptions = false,
    description = "Was this key processed or dead-lettered, when, first seen at partition@offset. "
        + "Exit 0 found, 1 not found. Works with the runtime role.")
final class LookupCommand extends Subcommand {
  @Mixin
  KeyOptions key = new KeyOptions();

  @Override
  int run(Tables t) throws SQLException {
    t.requireClaimTables();
    t.require("lookup", "SELECT", t.claims(), t.scopes(), t.generations());
    ClaimFinder finder = new ClaimFinder(t, key);
    List<Map<String, @Nullable Object>> found = finder.find();
    Map<String, @Nullable Object> result = describe(key, found);
    if (found.isEmpty() && finder.scopeId() == null) {
      result.put("note", "no consumer has registered scope '" + key.scope + "' in " + t.scopes()
          + " (check the spelling, --schema and --prefix)");
    }
    if (json) {
      printJson(result);
    } else {
      print(out(), result, found);
    }
    return found.isEmpty() ? ExitCodes.NOT_FOUND : ExitCodes.OK;
  }

  static Map<String, @Nullable Object> describe(KeyOptions key, List<Map<String, @Nullable Object>> found) {
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    result.put("found", !found.isEmpty());
    result.put("scope", key.scope);
    result.put("key", key.text());
    result.put("keyId", key.id().toString());
    for (Map<String, @Nullable Object> claim : found) {
      claim.put("state", "D".equals(claim.get("status")) ? "dead-lettered" : "processed");
    }
    result.put("claims", found);
    return result;
  }

  private static void print(PrintWriter out, Map<String, @Nullable Object> result,
      List<Map<String, @Nullable Object>> found) {
    String who = "scope '" + result.get("scope") + "', "
        + (result.get("key") == null ? "key id " + result.get("keyId") : "key '" + result.get("key") + "' (id "
            + result.get("keyId") + ")");
    if (found.isEmpty()) {
      out.println("NOT FOUND  " + who + ": never claimed, or its generation was dropped by retention");
      if (result.get("note") != null) {
        out.println("note: " + result.get("note"));
      }
      return;
    }
    out.println("FOUND  " + who);
    for (Map<String, @Nullable Object> c : found) {
      out.println("  state        " + c.get("state") + " (status " + c.get("status") + ")");
      out.println("  generation   " + c.get("generation") + generationSpan(c));
      if (c.get("claimedAt") != null) {
        out.println("  claimed at   " + c.get("claimedAt"));
      }
      String topic = c.get("topic") == null ? "partition " : c.get("topic") + "-";
      out.println("  first seen   " + topic + c.get("partition") + "@" + c.get("offset")
          + (c.get("topic") == null ? " (the topic is not stored since schema version 2)" : ""));
    }
  }

  private static String generationSpan(Map<String, @Nullable Object> c) {
    Object started = c.get("generationStartedAt");
    Object ended = c.get("generationEndedAt");
    String from = started == null ? "(V1 table processed_messages)" : "started " + started;
    return " " + from + (ended == null ? ", current: claimed since then" : ", ended " + ended
        + ": claimed between the two");
  }
}
