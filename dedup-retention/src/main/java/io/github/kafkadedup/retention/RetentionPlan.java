package io.github.kafkadedup.retention;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link RetentionJob} would do now ({@link RetentionJob#plan()}), and why it would not drop more.
 *
 * @param now the database's time the plan was made at
 * @param window the configured dedup window
 * @param windowCutoff {@code now - window}: what the window alone would allow
 * @param cutoff generations that ended before this are dropped: the window's cutoff, or earlier when the
 *     replay guard keeps more; {@code null} if nothing may be dropped ({@code skipped} says why)
 * @param topicRetentionMs {@code retention.ms} per topic when the job was given topics, else {@code null}
 * @param oldestRecord the timestamp of the oldest record the topics still hold, or {@code null}
 * @param skipped why nothing may be dropped (replay horizon unknown or a topic kept forever), or {@code null}
 * @param switchDue whether a run now would also start a new generation (the current one is older than the
 *     generation length)
 * @param generations the live generations, oldest first; the last is current
 */
public record RetentionPlan(Instant now, Duration window, Instant windowCutoff, @Nullable Instant cutoff,
    @Nullable Map<String, Long> topicRetentionMs, @Nullable Instant oldestRecord, @Nullable String skipped,
    boolean switchDue, List<Generation> generations) {

  /** Copies the collections. */
  public RetentionPlan {
    topicRetentionMs = topicRetentionMs == null ? null : Map.copyOf(topicRetentionMs);
    generations = List.copyOf(generations);
  }

  /** Why a generation that ended at {@code endedAt} (null: the current one) is kept by a run at {@code now}. */
  static String keptBecause(@Nullable Instant endedAt, Instant now, Duration window, Instant cutoff,
      @Nullable String skipped) {
    if (endedAt == null) {
      return "current generation (new claims go here)";
    }
    if (skipped != null) {
      return skipped;
    }
    if (!endedAt.isBefore(now.minus(window))) {
      return "ended " + endedAt + ", within the window " + RetentionJob.human(window) + ": droppable after "
          + endedAt.plus(window);
    }
    return "ended " + endedAt + ", before the window but after the cutoff " + cutoff + " of the replay guard (the "
        + "topics can still replay records claimed in it) or of the database's retention settings";
  }

  /**
   * One live generation in the plan.
   *
   * @param generation its number; 0 is V1's {@code processed_messages}
   * @param startedAt when it became current ({@code null} for generation 0)
   * @param endedAt when the next one became current; {@code null} for the current generation
   * @param keys the claims it holds
   * @param drop whether a run now would drop it
   * @param keptBecause why it is kept, or {@code null} if it would be dropped
   */
  public record Generation(int generation, @Nullable Instant startedAt, @Nullable Instant endedAt, long keys,
      boolean drop, @Nullable String keptBecause) {}
}
