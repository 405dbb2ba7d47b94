package io.github.kafkadedup.cli;

import io.github.kafkadedup.outbox.DeadLetter;
import io.github.kafkadedup.outbox.DeadLetters;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code replay} and {@code discard}: the same options (ids, {@code --reason}, {@code --operator},
 * {@code --dry-run}), the same rights check before anything changes, one line (or JSON entry) per id.
 * Exit 0 when every id was done, 1 when some id does not exist, 5 when some dead letter's state forbids it.
 */
abstract class DeadLetterActionCommand extends Subcommand {
  /** The states {@link DeadLetters#replay} and {@link DeadLetters#discard} accept. */
  static final Set<DeadLetters.State> OPEN =
      EnumSet.of(DeadLetters.State.PENDING, DeadLetters.State.PUBLISHED, DeadLetters.State.HELD);

  @Parameters(arity = "1..*", paramLabel = "ID", description = "the dead letters' ids (first column of list)")
  List<Long> ids = new ArrayList<>();

  @Option(names = "--reason", required = true, paramLabel = "TEXT",
      description = "why (required; stored on the row and in the audit table), e.g. a ticket number")
  String reason = "";

  @Option(names = "--operator", paramLabel = "NAME",
      description = "who runs this, stored beside the database role (e.g. when the role is shared)")
  @Nullable String operator;

  @Option(names = "--dry-run", description = "check the rights and states and say what would happen; change nothing")
  boolean dryRun;

  /** "replay" or "discard". */
  abstract String action();

  /** What the action does to one dead letter, for the dry run and the done line. */
  abstract String effect(DeadLetter d);

  /** The rights of the action, checked before anything changes (the message names the GRANT). */
  abstract void requireRights(Tables t);

  @Override
  int run(Tables t) {
    if (reason.isBlank()) {
      throw CliFailure.usage("--reason must say why (it is stored on the dead letter and in the audit table), "
          + "but was blank");
    }
    t.requireDeadLetterTable();
    if (!t.exists(t.audit())) {
      throw CliFailure.notMigrated("table " + t.audit() + " does not exist: every " + action() + " is recorded "
          + "there. Run kafka-dedup migrate");
    }
    requireRights(t);
    DeadLetterOps ops = DeadLetterOps.of(db, t);
    List<Map<String, @Nullable Object>> results = new ArrayList<>();
    AtomicInteger done = new AtomicInteger();
    String verb = action().equals("replay") ? "replaying" : "discarding";
    try (Progress p = Progress.start(err(), () -> verb + " dead letters: " + done.get() + " of " + ids.size())) {
      for (long id : ids) {
        results.add(action().equals("replay") ? replay(ops, id) : dryRun ? plan(ops, id) : apply(ops, id));
        done.incrementAndGet();
      }
    }
    report(results);
    if (results.stream().anyMatch(r -> "refused".equals(r.get("result")))) {
      return ExitCodes.FAILED;
    }
    return results.stream().anyMatch(r -> "not-found".equals(r.get("result"))) ? ExitCodes.NOT_FOUND : ExitCodes.OK;
  }

  /**
   * A replay, real or dry: the dry run is the same transaction rolled back ({@code DeadLetters.replay(..., true)}),
   * so both say what the audit records: replayed, or superseded when the key was applied since.
   */
  private Map<String, @Nullable Object> replay(DeadLetterOps ops, long id) {
    try {
      DeadLetters.ReplayResult r = ops.replay(id, operator, reason, dryRun);
      String result = r.sent() ? (dryRun ? "would-replay" : "replayed") : (dryRun ? "would-supersede" : "superseded");
      return result(id, result, effect(r), r.deadLetter());
    } catch (NoSuchElementException e) {
      return result(id, "not-found", "no dead letter with id " + id, null);
    } catch (IllegalStateException e) {
      return result(id, "refused", e.getMessage(), null);
    }
  }

  /** What a replay did (or would do), for {@link #replay}; only the replay command has one. */
  String effect(DeadLetters.ReplayResult r) {
    return effect(r.deadLetter());
  }

  private Map<String, @Nullable Object> plan(DeadLetterOps ops, long id) {
    Optional<DeadLetter> found = ops.show(id);
    if (found.isEmpty()) {
      return result(id, "not-found", "no dead letter with id " + id, null);
    }
    DeadLetter d = found.get();
    if (!OPEN.contains(d.state())) {
      return result(id, "refused", refusal(d), d);
    }
    return result(id, "would-" + action(), effect(d), d);
  }

  private Map<String, @Nullable Object> apply(DeadLetterOps ops, long id) {
    try {
      DeadLetter after = ops.act(action().equals("replay"), id, operator, reason);
      return result(id, past(), effect(after), after);
    } catch (NoSuchElementException e) {
      return result(id, "not-found", "no dead letter with id " + id, null);
    } catch (IllegalStateException e) {
      return result(id, "refused", e.getMessage(), null);
    }
  }

  private String refusal(DeadLetter d) {
    return "dead letter " + d.id() + " is " + d.state().column() + ": only pending, published or held ones can be "
        + past();
  }

  private String past() {
    return action().equals("replay") ? "replayed" : "discarded";
  }

  private static Map<String, @Nullable Object> result(long id, String result, String message,
      @Nullable DeadLetter d) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("result", result);
    m.put("message", message);
    m.put("deadLetter", d == null ? null : DeadLetterText.describe(d));
    return m;
  }

  private void report(List<Map<String, @Nullable Object>> results) {
    if (json) {
      Map<String, @Nullable Object> m = new LinkedHashMap<>();
      m.put("action", action());
      m.put("dryRun", dryRun);
      m.put("reason", reason);
      m.put("operator", operator);
      m.put("results", results);
      printJson(m);
      return;
    }
    for (Map<String, @Nullable Object> r : results) {
      String label = String.valueOf(r.get("result")).toUpperCase(java.util.Locale.ROOT).replace('-', ' ');
      out().println(label + "  " + r.get("id") + ": " + r.get("message"));
    }
    if (dryRun) {
      out().println("dry run: nothing changed, nothing recorded");
    } else if (results.stream().anyMatch(r -> past().equals(r.get("result")) || "superseded".equals(r.get("result")))) {
      out().println("recorded on the dead letter and in the audit table with reason: " + reason);
    }
  }
}
