package io.github.kafkadedup.cli;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code kafka-dedup lookup --scope S --key K}: was this key processed or dead-lettered, when (as precisely as
 * the tables store it: a claim row holds no time, its generation bounds it; a dead letter holds its time; a
 * UUIDv7 key carries its producer's), first seen at which partition and offset, and the key's dead letters.
 * Exit 0 found (a claim, or a dead letter still pending, published or held), 1 neither. Needs only SELECT.
 */
@Command(name = "lookup", sortOptions = false,
    description = "Was this key processed or dead-lettered, when, first seen at partition@offset, and its dead "
        + "letters. Exit 0 found, 1 not found. Works with the runtime role.")
final class LookupCommand extends Subcommand {
  /** Dead-letter states that still wait for an operator or the relay (replayed and discarded are history). */
  private static final java.util.Set<String> OPEN = java.util.Set.of("pending", "published", "held");

  @Mixin
  KeyOptions key = new KeyOptions();

  @Override
  int run(Tables t) throws SQLException {
    t.requireClaimTables();
    t.require("lookup", "SELECT", t.claims(), t.scopes(), t.generations());
    ClaimFinder finder = new ClaimFinder(t, key);
    List<Map<String, @Nullable Object>> found = finder.find();
    List<Map<String, @Nullable Object>> deadLetters = finder.deadLetters();
    Map<String, @Nullable Object> result = describe(key, found);
    boolean open = deadLetters.stream().anyMatch(d -> OPEN.contains(String.valueOf(d.get("state"))));
    result.put("found", !found.isEmpty() || open);
    result.put("deadLetters", deadLetters);
    result.put("where", t.where());
    if (found.isEmpty() && finder.scopeId() == null) {
      result.put("note", "no consumer has registered scope '" + key.scope + "' in " + t.scopes()
          + " (check the spelling, --schema and --prefix)");
    }
    if (json) {
      printJson(result);
    } else {
      print(out(), result, found, deadLetters);
    }
    return Boolean.TRUE.equals(result.get("found")) ? ExitCodes.OK : ExitCodes.NOT_FOUND;
  }

  static Map<String, @Nullable Object> describe(KeyOptions key, List<Map<String, @Nullable Object>> found) {
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    result.put("found", !found.isEmpty());
    result.put("scope", key.scope);
    result.put("key", key.text());
    result.put("keyId", key.id().toString());
    result.put("keyTime", keyTime(key.id()));
    for (Map<String, @Nullable Object> claim : found) {
      claim.put("state", "D".equals(claim.get("status")) ? "dead-lettered" : "processed");
    }
    result.put("claims", found);
    return result;
  }

  /** The time in a UUIDv7 key (its first 48 bits: milliseconds since 1970, the producer's clock), else null. */
  static @Nullable Instant keyTime(UUID id) {
    if (id.version() != 7) {
      return null;
    }
    return Instant.ofEpochMilli(id.getMostSignificantBits() >>> 16).truncatedTo(ChronoUnit.SECONDS);
  }

  private static void print(PrintWriter out, Map<String, @Nullable Object> result,
      List<Map<String, @Nullable Object>> found, List<Map<String, @Nullable Object>> deadLetters) {
    Terminal term = Terminal.current();
    out.println("kafka-dedup lookup: " + result.get("where"));
    String who = "scope '" + result.get("scope") + "', "
        + (result.get("key") == null ? "key id " + result.get("keyId") : "key '" + result.get("key") + "' (id "
            + result.get("keyId") + ")");
    if (found.isEmpty() && deadLetters.isEmpty()) {
      out.println(term.paint("NOT FOUND") + "  " + who + ": never claimed, or its generation was dropped by "
          + "retention; no dead letter");
    } else if (found.isEmpty() && Boolean.TRUE.equals(result.get("found"))) {
      out.println(term.paint("NOT CLAIMED") + "  " + who + ", but " + deadLetters.size() + " dead letter"
          + (deadLetters.size() == 1 ? "" : "s") + " (the claim's generation was dropped by retention, or forgotten)");
    } else if (found.isEmpty()) {
      out.println(term.paint("NOT FOUND") + "  " + who + ": not claimed now; its dead letters below were replayed or "
          + "discarded");
    } else {
      out.println(term.paint("FOUND") + "  " + who);
    }
    for (Map<String, @Nullable Object> c : found) {
      out.println("  state        " + term.paint(String.valueOf(c.get("state"))) + " (status " + c.get("status") + ")");
      out.println("  generation   " + c.get("generation") + generationSpan(c));
      out.println("  claimed      " + claimed(c));
      String topic = c.get("topic") == null ? "partition " : c.get("topic") + "-";
      out.println("  first seen   " + topic + c.get("partition") + "@" + c.get("offset")
          + (c.get("topic") == null ? " (the claim stores no topic since schema version 2)" : ""));
    }
    if (result.get("keyTime") != null) {
      out.println("  key made at  " + result.get("keyTime") + " (the key is a UUIDv7: its producer's clock)");
    }
    if (!deadLetters.isEmpty()) {
      TextTable table = new TextTable("ID", "STATE", "REASON", "CREATED", "SOURCE", "DLT TOPIC", "ERROR");
      deadLetters.forEach(d -> table.row(d.get("id"), d.get("state"), d.get("reason"), d.get("createdAt"),
          d.get("topic") + "-" + d.get("partition") + "@" + d.get("offset"), d.get("deadLetterTopic"),
          error(d)));
      out.println();
      out.println("Dead letters of this key (kafka-dedup dead-letters show ID)");
      table.print(out);
    }
    if (result.get("note") != null) {
      out.println("note: " + result.get("note"));
    }
  }

  private static String claimed(Map<String, @Nullable Object> c) {
    if (c.get("claimedAt") != null) {
      return "at " + c.get("claimedAt") + " (V1 table: time per key)";
    }
    Object started = c.get("generationStartedAt");
    Object ended = c.get("generationEndedAt");
    return "between " + started + " and " + (ended == null ? "now" : ended)
        + " (the claim stores no time per key; its generation bounds it)";
  }

  private static @Nullable String error(Map<String, @Nullable Object> d) {
    Object cls = d.get("exceptionClass");
    if (cls == null) {
      return null;
    }
    String simple = cls.toString().substring(cls.toString().lastIndexOf('.') + 1);
    return d.get("exceptionMessage") == null ? simple
        : simple + ": " + d.get("exceptionMessage").toString().replaceAll("\\s+", " ");
  }

  private static String generationSpan(Map<String, @Nullable Object> c) {
    Object started = c.get("generationStartedAt");
    Object ended = c.get("generationEndedAt");
    String from = started == null ? "(V1 table processed_messages)" : "started " + started;
    return " " + from + (ended == null ? ", current" : ", ended " + ended);
  }
}
