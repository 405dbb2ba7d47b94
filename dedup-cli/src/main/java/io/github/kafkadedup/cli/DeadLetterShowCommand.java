package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetter;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kafka-dedup dead-letters show ID}: one dead letter with its headers, key, value and the failure.
 * Exit 0 found, 1 not found.
 */
@Command(name = "show", sortOptions = false,
    description = {"One dead letter: where it came from, why, its headers, key and value (as text when printable "
        + "UTF-8, else base64 or --hex) and the stack trace. Exit 0 found, 1 not found. Works with the runtime role."})
final class DeadLetterShowCommand extends Subcommand {
  private static final int SHOWN_CHARS = 2_000;

  @Parameters(index = "0", paramLabel = "ID", description = "the dead letter's id (first column of list)")
  long id;

  @Option(names = "--hex", description = "bytes that are not printable text in hexadecimal instead of base64")
  boolean hex;

  @Option(names = "--full", description = "print long values and stack traces whole (default: the first "
      + SHOWN_CHARS + " characters; --json always prints everything)")
  boolean full;

  @Override
  int run(Tables t) throws SQLException {
    t.requireDeadLetterTable();
    t.require("dead-letters show", "SELECT", t.deadLetters());
    Optional<DeadLetter> found = DeadLetterOps.of(db, t).show(id);
    if (found.isEmpty()) {
      if (json) {
        printJson(Map.of("found", false, "id", id));
      } else {
        out().println("NOT FOUND  no dead letter with id " + id + " in " + t.deadLetters());
      }
      return ExitCodes.NOT_FOUND;
    }
    Map<String, @Nullable Object> m = DeadLetterText.describeWithPayload(found.get(), hex);
    if (json) {
      m.put("found", true);
      printJson(m);
    } else {
      print(m);
    }
    return ExitCodes.OK;
  }

  @SuppressWarnings("unchecked")
  private void print(Map<String, @Nullable Object> m) {
    PrintWriter out = out();
    out.println("dead letter " + m.get("id") + ": " + m.get("state") + ", reason " + m.get("reason"));
    field("created", m.get("createdAt"));
    field("scope", m.get("scope"));
    field("key", m.get("key") == null ? "(none: no claim was made)" : "'" + m.get("key") + "' (id " + m.get("keyId")
        + ")");
    field("source", m.get("source"));
    field("record time", m.get("recordTimestamp"));
    field("error", m.get("exceptionClass") == null ? m.get("exceptionMessage")
        : m.get("exceptionClass") + (m.get("exceptionMessage") == null ? "" : ": " + m.get("exceptionMessage")));
    field("dead-letter topic", m.get("dltTopic") == null ? null : m.get("dltTopic")
        + (m.get("publishedAt") == null ? " (not published)" : " (published " + m.get("publishedAt") + ")"));
    if (((Number) m.get("attempts")).intValue() > 0) {
      field("publish attempts", m.get("attempts") + ", last error: " + m.get("lastError"));
    }
    Map<String, @Nullable Object> action = (Map<String, @Nullable Object>) m.get("lastAction");
    if (action != null) {
      field("last action", action.get("at") + " by " + action.get("dbUser")
          + (action.get("operator") == null ? "" : " (" + action.get("operator") + ")") + ": " + action.get("reason"));
    }
    List<Map<String, @Nullable Object>> headers = (List<Map<String, @Nullable Object>>) m.get("headers");
    out.println("headers (" + (headers == null ? 0 : headers.size()) + ")");
    if (headers != null) {
      for (Map<String, @Nullable Object> h : headers) {
        out.println("  " + h.get("name") + ": " + inline(h));
      }
    }
    bytes("record key", (Map<String, @Nullable Object>) m.get("recordKey"));
    bytes("record value", (Map<String, @Nullable Object>) m.get("recordValue"));
    if (m.get("stackTrace") != null) {
      out.println("stack trace");
      indent(cut((String) m.get("stackTrace")));
    }
  }

  private void field(String name, @Nullable Object value) {
    out().println("  " + name + " ".repeat(Math.max(1, 18 - name.length())) + (value == null ? "-" : value));
  }

  private void bytes(String name, @Nullable Map<String, @Nullable Object> b) {
    if (b == null) {
      out().println(name + ": null");
      return;
    }
    out().println(name + " (" + b.get("size") + " bytes, " + b.get("encoding") + ")");
    indent(cut(String.valueOf(b.get("data"))));
  }

  private String inline(Map<String, @Nullable Object> b) {
    if ("null".equals(b.get("encoding"))) {
      return "null";
    }
    String data = DeadLetterText.shorten(String.valueOf(b.get("data")), full ? Integer.MAX_VALUE : 200);
    return "text".equals(b.get("encoding")) ? data : "(" + b.get("size") + " bytes, " + b.get("encoding") + ") " + data;
  }

  private String cut(String s) {
    return full || s.length() <= SHOWN_CHARS ? s : s.substring(0, SHOWN_CHARS) + "\n... (" + (s.length()
        - SHOWN_CHARS) + " more characters: --full or --json prints all)";
  }

  private void indent(String s) {
    s.lines().forEach(line -> out().println("  " + line));
  }
}
