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
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code replay} and {@code discard}: by ids or by filter, with {@code --reason}, {@code --operator},
 * {@code --dry-run}, {@code --yes} (required to act on a filter) and {@code --rate}; the same rights check before
 * anything changes; one line (or JSON entry) per dead letter. All or nothing: one transaction for the whole
 * selection (with {@code --rate}, one per chunk: a failure says plainly how many were done, exit 6). Exit 0 when
 * every one was done, 1 when some id does not exist, 5 when some dead letter's state forbids it (nothing done).
 */
abstract class DeadLetterActionCommand extends Subcommand {
  /** The states {@link DeadLetters#replay} and {@link DeadLetters#discard} accept. */
  static final Set<DeadLetters.State> OPEN =
      EnumSet.of(DeadLetters.State.PENDING, DeadLetters.State.PUBLISHED, DeadLetters.State.HELD);

  @Parameters(arity = "0..*", paramLabel = "ID", description = "the dead letters' ids (first column of list); "
      + "or select them with the filters")
  List<Long> ids = new ArrayList<>();

  @Mixin
  DeadLetterFilterOptions filters = new DeadLetterFilterOptions();

  @Option(names = "--failure-reason", paramLabel = "REASON", converter = DeadLetterEnums.ReasonConverter.class,
      description = "select by the dead letters' reason: handler_failed, undeserializable, missing_key, ... "
          + "(--reason says why you act)")
  void failureReason(DeadLetters.@Nullable Reason value) {
    filters.reason = value;
  }

  @Option(names = "--reason", required = true, paramLabel = "TEXT",
      description = "why (required; stored on the row and in the audit table), e.g. a ticket number")
  String reason = "";

  @Option(names = "--operator", paramLabel = "NAME",
      description = "who runs this, stored beside the database role (e.g. when the role is shared)")
  @Nullable String operator;

  @Option(names = "--dry-run", description = "check the rights and states and say what would happen; change nothing "
      + "(replay: the same transaction, rolled back, so it says what the real run records)")
  boolean dryRun;

  @Option(names = "--yes", description = "act on the dead letters the filters select (without it: count them, "
      + "change nothing)")
  boolean yes;

  @Option(names = "--rate", paramLabel = "N", description = "at most N per second, one transaction per chunk of N "
      + "(default: all in one transaction, all or nothing)")
  @Nullable Integer rate;

  /** "replay" or "discard". */
  abstract String action();

  /** What the action does to one dead letter, for the dry run and the done line. */
  abstract String effect(DeadLetter d, boolean done);

  /** The result label of one dead letter after the action ({@code dry}: rolled back). */
  String outcome(DeadLetter after, boolean dry) {
    return dry ? "would-" + action() : past();
  }

  /** Whether a dry run runs the action and rolls it back (replay), rather than only listing the selection. */
  boolean dryRunsTheTransaction() {
    return false;
  }

  /** The rights of the action, checked before anything changes (the message names the GRANT). */
  abstract void requireRights(Tables t);

  /** What a discard does with records parked behind a head ({@code null}: refuse such a head). */
  DeadLetters.@Nullable Followers followers() {
    return null;
  }

  /** Said before acting on {@code selected} (replay: who else reads the topics). */
  void beforeActing(List<DeadLetter> selected, List<String> notes) {}

  @Override
  int run(Tables t) {
    check(t);
    requireRights(t);
    DeadLetterOps ops = DeadLetterOps.of(db, t);
    List<Map<String, @Nullable Object>> refusals = new ArrayList<>();
    List<DeadLetter> selected = ids.isEmpty() ? DeadLetterSelection.byFilter(ops, filters) : byIds(ops, refusals);
    List<String> notes = new ArrayList<>();
    if (!refusals.isEmpty()) {
      notes.add("nothing changed: " + action() + " is all or nothing, and " + refusals.size() + " of " + ids.size()
          + " cannot be " + past());
      report(refusals, notes);
      return refusals.stream().anyMatch(r -> "not-found".equals(r.get("result"))) ? ExitCodes.NOT_FOUND
          : ExitCodes.FAILED;
    }
    if (selected.isEmpty()) {
      report(List.of(), List.of("no pending, published or held dead letters match"));
      return ExitCodes.OK;
    }
    beforeActing(selected, notes);
    if (dryRun && dryRunsTheTransaction()) {
      return act(ops, selected, notes, true);
    }
    if (dryRun || (ids.isEmpty() && !yes)) {
      List<Map<String, @Nullable Object>> plan = new ArrayList<>();
      selected.forEach(d -> plan.add(result(d.id(), "would-" + action(), effect(d, false), d)));
      notes.add(selected.size() + " dead letter(s) would be " + past() + (dryRun
          ? "; dry run: nothing changed, nothing recorded" : "; nothing changed: add --yes to " + action() + " them"));
      report(plan, notes);
      return dryRun ? ExitCodes.OK : ExitCodes.USAGE;
    }
    return act(ops, selected, notes, false);
  }

  private void check(Tables t) {
    if (reason.isBlank()) {
      throw CliFailure.usage("--reason must say why (it is stored on the dead letter and in the audit table), "
          + "but was blank");
    }
    if (ids.isEmpty() == !filters.any()) {
      throw CliFailure.usage(ids.isEmpty() ? "give the dead letters' ids, or select them with --scope, --topic, "
          + "--failure-reason, --group, --key, --record-key or --since" : "give ids or filters, not both");
    }
    if (rate != null && rate < 1) {
      throw CliFailure.usage("--rate must be at least 1 per second, but was " + rate);
    }
    t.requireDeadLetterTable();
    if (!t.exists(t.audit())) {
      throw CliFailure.notMigrated("table " + t.audit() + " does not exist: every " + action() + " is recorded "
          + "there. Run kafka-dedup migrate");
    }
  }

  private List<DeadLetter> byIds(DeadLetterOps ops, List<Map<String, @Nullable Object>> refusals) {
    List<DeadLetter> found = new ArrayList<>();
    for (long id : new java.util.LinkedHashSet<>(ids)) {
      Optional<DeadLetter> d = ops.show(id);
      if (d.isEmpty()) {
        refusals.add(result(id, "not-found", "no dead letter with id " + id, null));
      } else if (!OPEN.contains(d.get().state())) {
        refusals.add(result(id, "refused", refusal(d.get()), d.get()));
      } else {
        found.add(d.get());
      }
    }
    return found;
  }

  private int act(DeadLetterOps ops, List<DeadLetter> selected, List<String> notes, boolean dry) {
    int chunk = rate == null ? selected.size() : rate;
    List<Map<String, @Nullable Object>> done = new ArrayList<>();
    long started = System.nanoTime();
    for (int from = 0; from < selected.size(); from += chunk) {
      List<Long> part = selected.subList(from, Math.min(from + chunk, selected.size())).stream()
          .map(DeadLetter::id).toList();
      try {
        if (from > 0) {
          pace(started, from / chunk);
        }
        for (DeadLetter after : ops.actAll(action().equals("replay"), part, operator, reason, followers(), dry)) {
          done.add(result(after.id(), outcome(after, dry), effect(after, !dry), after));
        }
      } catch (NoSuchElementException | IllegalStateException e) {
        done.add(result(part.get(0), "refused", e.getMessage(), null));
        notes.add(done.size() - 1 == 0 ? "nothing changed: " + action() + " is all or nothing"
            : (done.size() - 1) + " of " + selected.size() + " done; the rest unchanged (" + action() + " --rate "
                + "acts one chunk per transaction)");
        report(done, notes);
        return done.size() - 1 == 0 ? ExitCodes.FAILED : ExitCodes.PARTIAL;
      }
    }
    notes.add(dry ? selected.size() + " dead letter(s) checked in a transaction that was rolled back; dry run: "
        + "nothing changed, nothing recorded" : "recorded on the dead letter and in the audit table with reason: "
        + reason);
    report(done, notes);
    return ExitCodes.OK;
  }

  private static void pace(long started, int chunks) {
    long due = started + chunks * 1_000_000_000L;
    long wait = due - System.nanoTime();
    if (wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted between two chunks");
      }
    }
  }

  private String refusal(DeadLetter d) {
    return "dead letter " + d.id() + " is " + d.state().column() + ": only pending, published or held ones can be "
        + past() + (d.state() == DeadLetters.State.PARKED ? " (a parked one follows the head of its sequence)" : "");
  }

  String past() {
    return action().equals("replay") ? "replayed" : "discarded";
  }

  private static Map<String, @Nullable Object> result(long id, String result, @Nullable String message,
      @Nullable DeadLetter d) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("result", result);
    m.put("message", message);
    m.put("deadLetter", d == null ? null : DeadLetterText.describe(d));
    return m;
  }

  private void report(List<Map<String, @Nullable Object>> results, List<String> notes) {
    if (json) {
      Map<String, @Nullable Object> m = new LinkedHashMap<>();
      m.put("action", action());
      m.put("dryRun", dryRun);
      m.put("reason", reason);
      m.put("operator", operator);
      m.put("results", results);
      m.put("notes", notes);
      printJson(m);
      return;
    }
    for (Map<String, @Nullable Object> r : results) {
      String label = String.valueOf(r.get("result")).toUpperCase(java.util.Locale.ROOT).replace('-', ' ');
      out().println(label + "  " + r.get("id") + ": " + r.get("message"));
    }
    notes.forEach(out()::println);
  }
}
