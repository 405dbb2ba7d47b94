package io.github.kafkadedup.cli;

import io.github.kafkadedup.consumer.DedupException;
import io.github.kafkadedup.retention.RetentionPlan;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code kafka-dedup retention plan}: {@link io.github.kafkadedup.retention.RetentionJob#plan()}, printed. */
@Command(name = "plan", sortOptions = false,
    description = "What a retention run would drop now, and why it keeps the rest (window, replay guard per "
        + "topic). Changes nothing; works with the runtime role.")
final class RetentionPlanCommand extends Subcommand {
  @Mixin
  RetentionOptions retention = new RetentionOptions();

  @Override
  int run(Tables t) {
    t.requireClaimTables();
    t.require("retention plan", "SELECT", t.claims(), t.generations());
    RetentionPlan plan;
    try (Admin admin = retention.admin();
        Progress p = Progress.start(err(), "planning retention (counting the generations' keys)")) {
      plan = retention.job(db.dataSource(), t.schema, admin).plan();
    } catch (DedupException e) {
      throw RetentionOptions.translate(e, "retention plan");
    }
    if (json) {
      printJson(toMap(plan));
    } else {
      print(plan);
    }
    return ExitCodes.OK;
  }

  static Map<String, @Nullable Object> toMap(RetentionPlan plan) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("now", seconds(plan.now()));
    m.put("window", plan.window().toString());
    m.put("windowCutoff", seconds(plan.windowCutoff()));
    m.put("cutoff", seconds(plan.cutoff()));
    m.put("topicRetentionMs", plan.topicRetentionMs());
    m.put("oldestRecord", seconds(plan.oldestRecord()));
    m.put("skipped", plan.skipped());
    m.put("switchDue", plan.switchDue());
    m.put("generations", plan.generations().stream().map(g -> {
      Map<String, @Nullable Object> row = new LinkedHashMap<>();
      row.put("generation", g.generation());
      row.put("startedAt", seconds(g.startedAt()));
      row.put("endedAt", seconds(g.endedAt()));
      row.put("keys", g.keys());
      row.put("drop", g.drop());
      row.put("keptBecause", g.keptBecause());
      return row;
    }).toList());
    return m;
  }

  private void print(RetentionPlan plan) {
    out().println("retention plan at " + seconds(plan.now()) + ": window " + human(plan.window())
        + ", so generations that ended before " + seconds(plan.windowCutoff()) + " may go");
    if (plan.topicRetentionMs() == null) {
      out().println("replay guard: off (give --topics and --bootstrap-servers to keep keys the topics can replay)");
    } else {
      plan.topicRetentionMs().forEach((topic, ms) -> out().println("replay guard: topic " + topic + " retention.ms "
          + (ms < 0 ? "forever" : human(Duration.ofMillis(ms)))));
      out().println("replay guard: oldest record still in the topics " + orNone(seconds(plan.oldestRecord())));
    }
    out().println(plan.skipped() != null ? "cutoff: none, nothing is dropped: " + plan.skipped()
        : "cutoff: generations that ended before " + seconds(plan.cutoff()) + " are dropped"
            + (plan.cutoff().isBefore(plan.windowCutoff()) ? " (earlier than the window's: the replay guard)" : ""));
    if (plan.switchDue()) {
      out().println("a run now also starts a new generation (the current one is older than the generation length)");
    }
    TextTable table = new TextTable("GENERATION", "STARTED", "ENDED", "KEYS", "ACTION", "WHY KEPT");
    List<RetentionPlan.Generation> generations = plan.generations();
    generations.forEach(g -> table.row(g.generation(), g.startedAt() == null ? "(V1 table)" : seconds(g.startedAt()),
        seconds(g.endedAt()), g.keys(), g.drop() ? "DROP" : "keep", g.keptBecause()));
    section("Generations", table);
  }

  private static String orNone(@Nullable Object o) {
    return o == null ? "none (the topics are empty)" : o.toString();
  }

  static String human(Duration d) {
    String out = (d.toDays() > 0 ? d.toDays() + "d " : "") + (d.toHoursPart() > 0 ? d.toHoursPart() + "h " : "")
        + (d.toMinutesPart() > 0 ? d.toMinutesPart() + "m " : "");
    return out.isEmpty() ? d.toSeconds() + "s" : out.trim();
  }
}
