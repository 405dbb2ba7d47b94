package io.github.kafkadedup.cli;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.retention.RetentionJob;
import io.github.kafkadedup.retention.RetentionPlan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kafka-dedup retention run}: one {@link RetentionJob#runOnce()} with these settings, safe by default: the
 * replay guard is on (unless {@code --no-replay-guard}), the generations it would drop are shown and confirmed
 * ({@code --yes}, or a typed answer on a terminal), and every dropped generation is audited by the database's
 * drop function (who, when, why, generation, keys).
 */
@Command(name = "run", sortOptions = false,
    description = {"Run retention once: create partitions ahead, start a new generation when due, drop the "
        + "generations that ended before the cutoff. Needs EXECUTE on the maintenance functions, which "
        + "kafka-dedup-grants.sql grants to the runtime role (SECURITY DEFINER: the application's own "
        + "RetentionJob runs them without DDL rights; for that role the database refuses drops within its "
        + "retention settings).",
        "Before dropping anything it prints what it will drop and asks (--yes for scripts; without a terminal "
            + "and without --yes it drops nothing and exits 2). The replay guard is on unless --no-replay-guard: "
            + "it needs --topics (or the topics recorded in consumer_offsets) and --bootstrap-servers. Every "
            + "dropped generation is recorded in dedup_audit (action retention-drop)."})
final class RetentionRunCommand extends Subcommand {
  @Mixin
  RetentionOptions retention = new RetentionOptions();

  @Option(names = "--dry-run", description = "print the plan instead (same as retention plan)")
  boolean dryRun;

  @Option(names = "--yes", description = "drop without asking (for scripts)")
  boolean yes;

  @Option(names = "--reason", paramLabel = "TEXT",
      description = "why, stored in the audit row of each dropped generation (default: the window and cutoff)")
  @Nullable String reason;

  @Option(names = "--operator", paramLabel = "NAME",
      description = "who runs this, stored beside the database role (default: the OS user name)")
  @Nullable String operator;

  @Override
  int run(Tables t) {
    if (dryRun) {
      RetentionPlanCommand plan = new RetentionPlanCommand();
      plan.spec = spec;
      plan.db = db;
      plan.json = json;
      plan.retention = retention;
      return plan.run(t);
    }
    t.requireClaimTables();
    t.require("retention run", "SELECT", t.claims(), t.generations());
    t.requireExecute("retention run", "dedup_prepare_generations(integer, integer)",
        "dedup_switch_generation(integer)", "dedup_drop_generation(integer, timestamptz, integer)");
    retention.requireReplayGuard(t);
    RetentionJob.RunResult r;
    try (Admin admin = retention.admin()) {
      RetentionJob planner = retention.job(db.dataSource(), t.schema, admin);
      RetentionPlan plan;
      try (Progress p = Progress.start(err(), "planning retention (counting the generations' keys)")) {
        plan = planner.plan();
      }
      List<RetentionPlan.Generation> drops = plan.generations().stream().filter(RetentionPlan.Generation::drop)
          .toList();
      if (!drops.isEmpty() && !confirm(t, plan, drops)) {
        return ExitCodes.USAGE;
      }
      try (Progress p = Progress.start(err(), "running retention")) {
        r = retention.job(audited(), t.schema, admin).runOnce();
      }
    } catch (DedupException e) {
      throw RetentionOptions.translate(e, "retention run");
    }
    report(r);
    return ExitCodes.OK;
  }

  /** Shows what will be dropped, where, and asks; false (and says why) when not confirmed. */
  private boolean confirm(Tables t, RetentionPlan plan, List<RetentionPlan.Generation> drops) {
    long keys = drops.stream().mapToLong(RetentionPlan.Generation::keys).sum();
    err().println("retention run will drop " + drops.size() + " generation(s) holding " + keys + " keys in "
        + "database " + Confirmation.database(t) + ", schema " + t.schema.schema() + " (every scope of " + t.claims() + "), those that ended before "
        + seconds(plan.cutoff()) + (retention.noReplayGuard ? " (replay guard OFF: --no-replay-guard)"
            : " (replay guard: " + String.join(",", retention.topics) + ")") + ":");
    drops.forEach(g -> err().println("  generation " + g.generation() + ": " + g.keys() + " keys, ended "
        + seconds(g.endedAt())));
    err().println("a record whose key is dropped is applied again if it is re-sent or replayed");
    if (Confirmation.confirmed(yes, err(), "drop them?")) {
      return true;
    }
    err().println("retention run: nothing dropped (" + (Confirmation.interactive() ? "not confirmed"
        : "no terminal to ask: give --yes to drop without asking") + ")");
    return false;
  }

  /** The command's data source, with the audit's operator and reason set for each session. */
  private PGSimpleDataSource audited() {
    PGSimpleDataSource ds = db.dataSource();
    String who = operator != null ? operator : System.getProperty("user.name", "");
    String why = reason != null ? reason : "kafka-dedup retention run --window " + retention.window
        + (retention.noReplayGuard ? " --no-replay-guard" : " (replay guard: " + String.join(",", retention.topics)
            + ")");
    ds.setOptions("-c kafka_dedup.operator=" + escape(who) + " -c kafka_dedup.reason=" + escape(why));
    return ds;
  }

  /** A value for PostgreSQL's startup options: spaces and backslashes escaped with a backslash. */
  static String escape(String value) {
    return value.replace("\\", "\\\\").replace(" ", "\\ ");
  }

  private void report(RetentionJob.RunResult r) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("generationsDropped", r.generationsDropped());
    m.put("keysDropped", r.deleted());
    m.put("currentGeneration", r.currentGeneration());
    m.put("cutoff", seconds(r.cutoff()));
    m.put("oldestKey", seconds(r.oldestKey()));
    m.put("skipped", r.skipped());
    m.put("ms", r.took().toMillis());
    if (json) {
      printJson(m);
    } else if (r.skipped() != null) {
      out().println("retention run dropped nothing: " + r.skipped() + "; current generation " + r.currentGeneration());
    } else {
      out().println("retention run: dropped " + r.generationsDropped() + " generation(s), " + r.deleted()
          + " keys, that ended before " + seconds(r.cutoff()) + "; current generation " + r.currentGeneration()
          + "; oldest generation left started " + (r.oldestKey() == null ? "-" : seconds(r.oldestKey()))
          + " (" + r.took().toMillis() + " ms)" + (r.generationsDropped() > 0 ? "; recorded in dedup_audit" : ""));
    }
  }
}
