package io.github.kafkadedup.cli;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.consumer.RetentionJob;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kafka-dedup retention run}: one {@link RetentionJob#runOnce()} with these settings. */
@Command(name = "run", sortOptions = false,
    description = "Run retention once: create partitions ahead, start a new generation when due, drop the "
        + "generations that ended before the cutoff. Needs EXECUTE on the maintenance functions, which "
        + "kafka-dedup-grants.sql grants to the runtime role (SECURITY DEFINER: the application's own "
        + "RetentionJob runs them without DDL rights).")
final class RetentionRunCommand extends Subcommand {
  @Mixin
  RetentionOptions retention = new RetentionOptions();

  @Option(names = "--dry-run", description = "print the plan instead (same as retention plan)")
  boolean dryRun;

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
    RetentionJob.RunResult r;
    try (Admin admin = retention.admin(); Progress p = Progress.start(err(), "running retention")) {
      r = retention.job(db.dataSource(), t.schema, admin).runOnce();
    } catch (DedupException e) {
      throw RetentionOptions.translate(e, "retention run");
    }
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
          + " (" + r.took().toMillis() + " ms)");
    }
    return ExitCodes.OK;
  }
}
