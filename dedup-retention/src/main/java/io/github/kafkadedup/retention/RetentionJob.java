package io.github.kafkadedup.retention;
import io.github.kafkadedup.consumer.DedupException;

import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the claim table's generations: creates partitions ahead of time, starts a new generation every
 * {@linkplain RetentionConfig#generationLength() generation length}, and drops whole generations that
 * ended longer ago than the {@linkplain RetentionConfig#window() dedup window}. Schedule {@link #runOnce()}
 * yourself (for example hourly); runs never overlap.
 *
 * <p>Dropping a generation drops its partition (or empties V1's {@code processed_messages}, the legacy
 * generation 0 after an upgrade): no row-by-row delete, no VACUUM, about no WAL. A key therefore lives
 * between one window and one window plus one generation length. Each step is a short autocommit call of
 * the migration's maintenance functions with a lock timeout and retries, so consumers never wait long
 * behind the job; the runtime role may run it (the functions hold the owner's rights; since schema version 6
 * they refuse, for any role but the owner, to drop a generation younger than the owner's
 * {@code dedup_retention_settings}, and the job keeps its cutoff within them). Generations are
 * shared by every scope in the table: run one job per table (its {@link RetentionConfig#scope() scope}
 * only names it in logs and meters), with the topics of every service that uses the table.
 *
 * <p>Given an Admin client and the subscribed topics ({@link Builder#topics(Admin, Collection)}), the job
 * never drops a key claimed after the oldest record that the topics can still replay (the earliest
 * record's timestamp, or {@code now - retention.ms} of the longest-kept topic, whichever is older, minus
 * one hour for clock skew): the window is lengthened rather than let a replay through. It warns when the
 * window is shorter than a topic's {@code retention.ms}; if the topics cannot be read, the run drops
 * nothing (it still creates partitions and switches generations).
 *
 * <p>Given a {@link MeterRegistry}: counter {@code kafka.dedup.retention.deleted}, timer
 * {@code kafka.dedup.retention.run}, gauges {@code kafka.dedup.retention.oldest.key.age},
 * {@code kafka.dedup.retention.oldest.record.age} and {@code kafka.dedup.retention.topic.retention}
 * (tag {@code topic}), in seconds, all tagged {@code scope}.
 */
public final class RetentionJob {
  private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);
  private static final Duration CLOCK_SKEW_MARGIN = Duration.ofHours(1);

  private final DataSource dataSource;
  private final RetentionConfig config;
  private final Generations generations;
  private final @Nullable Admin admin;
  private final List<String> topics;
  private final @Nullable RetentionMeters meters;
  private final String name;

  private RetentionJob(Builder b) {
    this.dataSource = b.dataSource;
    this.config = b.config;
    this.generations = new Generations(config.schema());
    this.admin = b.admin;
    this.topics = b.topics;
    String scope = config.scope() == null ? "*" : config.scope();
    this.name = "[retention " + config.schema().claims() + " scope=" + scope + "]";
    this.meters = b.registry == null ? null : new RetentionMeters(b.registry, scope);
  }

  /**
   * A builder for a job that keeps the tables in {@code dataSource}.
   *
   * @param dataSource the database with the migrated tables
   * @param config the window and generation length
   * @return the builder
   */
  public static Builder builder(DataSource dataSource, RetentionConfig config) {
    return new Builder(dataSource, config);
  }

  /** @return the settings */
  public RetentionConfig config() {
    return config;
  }

  /**
   * Creates partitions ahead, switches to a new generation when the current one is older than the
   * generation length, and drops every generation that ended before the cutoff.
   *
   * @return keys dropped, generations dropped, the current generation, time taken, the cutoff used and the
   *     oldest key left
   * @throws DedupException of kind {@code DATABASE} if the database fails (generations dropped by earlier
   *     steps stay dropped)
   */
  public synchronized RunResult runOnce() {
    long start = System.nanoTime();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      Instant now = generations.databaseNow(c);
      int current = rotate(c, now);
      Cutoff cutoff = cutoff(now, generations.retentionFloor(c));
      if (cutoff.skipped != null) {
        log.warn("{} dropped nothing: {}", name, cutoff.skipped);
        return new RunResult(0, 0, current, Duration.ofNanos(System.nanoTime() - start), null, null, cutoff.skipped);
      }
      long deleted = 0;
      int dropped = 0;
      for (Generations.Generation g : generations.list(c)) {
        if (expired(g, cutoff.at)) {
          long keys = generations.count(c, g.generation());
          if (generations.drop(c, g.generation(), cutoff.at)) {
            deleted += keys;
            dropped++;
          }
        }
      }
      List<Generations.Generation> left = generations.list(c);
      Instant oldest = left.isEmpty() ? null : left.getFirst().startedAt();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      report(now, cutoff, oldest, deleted, dropped, took);
      return new RunResult(deleted, dropped, current, took, cutoff.at, oldest, null);
    } catch (SQLException e) {
      throw DedupException.database(name + " run failed", e);
    }
  }

  /**
   * What {@link #runOnce()} would do now, changing nothing: the cutoff by the window and by the replay guard,
   * and for each live generation whether it would be dropped or why it is kept. For operators
   * ({@code kafka-dedup retention plan}).
   *
   * @return the plan
   * @throws DedupException of kind {@code DATABASE} if the database fails
   */
  public synchronized RetentionPlan plan() {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      Instant now = generations.databaseNow(c);
      Cutoff cutoff = cutoff(now, generations.retentionFloor(c));
      List<Generations.Generation> live = generations.list(c);
      List<RetentionPlan.Generation> planned = new ArrayList<>();
      for (Generations.Generation g : live) {
        boolean drop = cutoff.skipped == null && expired(g, cutoff.at);
        String kept = drop ? null
            : RetentionPlan.keptBecause(g.endedAt(), now, config.window(), cutoff.at, cutoff.skipped);
        planned.add(new RetentionPlan.Generation(g.generation(), g.startedAt(), g.endedAt(),
            generations.count(c, g.generation()), drop, kept));
      }
      return new RetentionPlan(now, config.window(), now.minus(config.window()),
          cutoff.skipped == null ? cutoff.at : null, cutoff.horizon == null ? null : cutoff.horizon.retentionMs(),
          cutoff.horizon == null ? null : cutoff.horizon.oldestRecord(), cutoff.skipped,
          !live.isEmpty() && switchDue(live.getLast(), now), planned);
    } catch (SQLException e) {
      throw DedupException.database(name + " plan failed", e);
    }
  }

  private static boolean expired(Generations.Generation g, Instant cutoff) {
    return g.endedAt() != null && g.endedAt().isBefore(cutoff);
  }

  private boolean switchDue(Generations.Generation current, Instant now) {
    Instant started = current.startedAt();
    return started != null && !started.plus(config.generationLength()).isAfter(now);
  }

  /** Creates partitions ahead and starts a new generation if the current one is due; returns the current one. */
  private int rotate(Connection c, Instant now) throws SQLException {
    generations.prepare(c);
    Generations.Generation current = generations.list(c).getLast();
    Instant started = current.startedAt();
    if (switchDue(current, now)) {
      int next = generations.switchGeneration(c);
      generations.prepare(c);
      log.info("{} generation {} started (generation {} ran {})", name, next, current.generation(),
          human(Duration.between(started, now)));
      return next;
    }
    return current.generation();
  }

  /**
   * The cutoff by the window and the replay guard, and never later than {@code now - floor}: the database's
   * own rules for this role (migration V6's {@code dedup_retention_settings}), which refuse an earlier drop.
   */
  private Cutoff cutoff(Instant now, Duration floor) {
    Cutoff byJob = cutoff(now);
    Instant byDatabase = now.minus(floor);
    if (byJob.skipped != null || !byJob.at.isAfter(byDatabase)) {
      return byJob;
    }
    log.info("{} keeping keys claimed since {} (not only the job's cutoff {}): the database's retention settings "
        + "({}) keep them for {} for this role", name, byDatabase, byJob.at,
        config.schema().retentionSettings(), human(floor));
    return new Cutoff(byDatabase, byJob.horizon, null);
  }

  private Cutoff cutoff(Instant now) {
    Instant byWindow = now.minus(config.window());
    if (admin == null) {
      return new Cutoff(byWindow, null, null);
    }
    ReplayHorizon horizon;
    try {
      horizon = ReplayHorizon.read(admin, topics);
    } catch (RuntimeException e) {
      return new Cutoff(byWindow, null, "the replay horizon of " + topics + " could not be read (" + e.getMessage()
          + "); keys are deleted only when it is known that no replayable record needs them");
    }
    warnAboutRetention(horizon);
    Instant replayable = horizon.replayableSince(now);
    if (replayable.equals(Instant.MIN)) {
      return new Cutoff(byWindow, horizon, "a topic of " + topics + " keeps records forever (retention.ms=-1), "
          + "so every key may still be needed by a replay");
    }
    Instant guarded = replayable.minus(CLOCK_SKEW_MARGIN);
    if (guarded.isBefore(byWindow)) {
      log.info("{} keeping keys claimed since {} (not only the window's {}): records since then can still be "
          + "replayed from {}", name, guarded, byWindow, topics);
      return new Cutoff(guarded, horizon, null);
    }
    return new Cutoff(byWindow, horizon, null);
  }

  private void warnAboutRetention(ReplayHorizon horizon) {
    horizon.retentionMs().forEach((topic, ms) -> {
      if (meters != null) {
        meters.topicRetention(topic, ms);
      }
      if (ms >= 0 && config.window().compareTo(Duration.ofMillis(ms)) < 0) {
        log.warn("{} the dedup window {} is shorter than retention.ms of topic {} ({}): a replay from the "
            + "earliest offset reaches records whose keys the window would have deleted; those keys are kept "
            + "until the records expire. Set the window to at least {}", name, human(config.window()), topic,
            human(Duration.ofMillis(ms)), human(Duration.ofMillis(ms)));
      }
    });
  }

  private void report(Instant now, Cutoff cutoff, @Nullable Instant oldest, long deleted, int dropped,
      Duration took) {
    Duration oldestAge = oldest == null ? null : Duration.between(oldest, now);
    Instant oldestRecord = cutoff.horizon == null ? null : cutoff.horizon.oldestRecord();
    if (meters != null) {
      meters.run(deleted, took);
      meters.oldestKeyAge(oldestAge);
      meters.oldestRecordAge(oldestRecord == null ? null : Duration.between(oldestRecord, now));
    }
    log.info("{} dropped {} generations ({} keys) that ended before {} in {} ms; oldest generation left started {}",
        name, dropped, deleted, cutoff.at, took.toMillis(), oldestAge == null ? "-" : human(oldestAge) + " ago");
    if (oldestRecord != null && (oldest == null || oldest.isAfter(oldestRecord.plus(CLOCK_SKEW_MARGIN)))) {
      log.warn("{} the topics {} still hold records from {}, older than the oldest key ({}): a replay from the "
          + "earliest offset would process records whose keys are not in the table (claimed before this table "
          + "existed, or deleted by an earlier shorter window)", name, topics, oldestRecord,
          oldest == null ? "the table is empty" : oldest);
    }
  }

  /** {@code 10d 4h 3m}: durations of days read better than ISO-8601's {@code PT244H3M}. */
  static String human(Duration d) {
    String out = (d.toDays() > 0 ? d.toDays() + "d " : "") + (d.toHoursPart() > 0 ? d.toHoursPart() + "h " : "")
        + (d.toMinutesPart() > 0 ? d.toMinutesPart() + "m " : "");
    return out.isEmpty() ? d.toSeconds() + "s" : out.trim();
  }

  private record Cutoff(Instant at, @Nullable ReplayHorizon horizon, @Nullable String skipped) {}

  /**
   * What one {@link #runOnce()} did.
   *
   * @param deleted keys in the generations dropped
   * @param generationsDropped generations dropped (each its own short transaction)
   * @param currentGeneration the generation new claims go to after the run
   * @param took wall-clock time of the run
   * @param cutoff generations that ended before this instant were dropped; {@code null} if the run was skipped
   * @param oldestKey when the oldest live generation started (no remaining key is older); {@code null} if
   *     unknown or skipped
   * @param skipped why nothing was dropped (the replay horizon was unknown), or {@code null}
   */
  public record RunResult(long deleted, int generationsDropped, int currentGeneration, Duration took,
      @Nullable Instant cutoff, @Nullable Instant oldestKey, @Nullable String skipped) {}

  /** Builds a {@link RetentionJob}. */
  public static final class Builder {
    private final DataSource dataSource;
    private final RetentionConfig config;
    private @Nullable Admin admin;
    private List<String> topics = List.of();
    private @Nullable MeterRegistry registry;

    private Builder(DataSource dataSource, RetentionConfig config) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * The topics whose keys the table holds, read through {@code admin} on every run: keys that a replay
     * of these topics could still need are never deleted, and a window shorter than their
     * {@code retention.ms} is logged as a warning.
     *
     * @param admin an Admin client (the caller closes it)
     * @param topics at least one topic
     * @return this
     * @throws IllegalArgumentException if {@code topics} is empty or holds a blank name
     */
    public Builder topics(Admin admin, Collection<String> topics) {
      Objects.requireNonNull(admin, "admin");
      if (topics.isEmpty() || topics.stream().anyMatch(t -> t == null || t.isBlank())) {
        throw new IllegalArgumentException("topics must be one or more topic names, but was " + topics);
      }
      this.admin = admin;
      this.topics = List.copyOf(topics);
      return this;
    }

    /**
     * Registers the job's meters in {@code registry} (micrometer-core is an optional dependency).
     *
     * @param registry the application's registry
     * @return this
     */
    // Micrometer is optional (requires static): a caller of this method has it on its path already
    @SuppressWarnings("exports")
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /** @return the job */
    public RetentionJob build() {
      return new RetentionJob(this);
    }
  }
}
