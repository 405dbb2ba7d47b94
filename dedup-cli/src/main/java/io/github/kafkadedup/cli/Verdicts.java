package io.github.kafkadedup.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one-line answer per scope to "is it stuck?", from the lag, the group's members and the consumers'
 * heartbeats, with the thresholds that decide it:
 * <ul>
 *   <li>NO CONSUMERS: the group has no member (without Kafka: no heartbeat within the stuck threshold);
 *   <li>STUCK: records wait (lag above 0) and no consumer completed a batch for longer than the threshold;
 *   <li>LAGGING: the lag is above its threshold, batches complete;
 *   <li>UNKNOWN: neither Kafka nor a heartbeat says anything;
 *   <li>OK otherwise.
 * </ul>
 */
final class Verdicts {
  static final String OK = "OK";
  static final String LAGGING = "LAGGING";
  static final String STUCK = "STUCK";
  static final String NO_CONSUMERS = "NO CONSUMERS";
  static final String UNKNOWN = "UNKNOWN";

  private Verdicts() {}

  /** The thresholds, as given with --lag-threshold and --stuck-after. */
  record Thresholds(long lag, long stuckAfterSeconds) {
    String describe() {
      return "LAGGING: lag > " + lag + " (--lag-threshold); STUCK: lag > 0 and no batch completed for "
          + Ages.of(stuckAfterSeconds) + " (--stuck-after); NO CONSUMERS: no member in the group";
    }
  }

  /**
   * @param lag the scope's total lag, or null if unknown
   * @param members the group's member count, or null if Kafka was not read
   * @param beats the scope's heartbeat rows (ages in seconds: seenAge, progressAge, startedAge)
   */
  static Map<String, @Nullable Object> of(String scope, String group, @Nullable Long lag, @Nullable Integer members,
      List<Map<String, @Nullable Object>> beats, Thresholds th) {
    Long progressAge = null;
    Long seenAge = null;
    int running = 0;
    for (Map<String, @Nullable Object> b : beats) {
      long seen = number(b.get("seenAge"));
      Object p = b.get("progressAge") != null ? b.get("progressAge") : b.get("startedAge");
      progressAge = min(progressAge, number(p));
      seenAge = min(seenAge, seen);
      if (b.get("stoppedAt") == null && seen <= th.stuckAfterSeconds()) {
        running++;
      }
    }
    String verdict;
    String why;
    String lagText = lag == null ? "lag unknown" : "lag " + lag;
    String batch = progressAge == null ? "no heartbeat" : "last batch " + Ages.ago(progressAge);
    if (members != null && members == 0) {
      verdict = NO_CONSUMERS;
      why = "group " + group + " has no members; " + lagText;
    } else if (members == null && beats.isEmpty()) {
      verdict = UNKNOWN;
      why = "no heartbeat and no Kafka: give --bootstrap-servers; " + lagText;
    } else if (members == null && running == 0) {
      verdict = NO_CONSUMERS;
      why = "no heartbeat for " + Ages.of(seenAge) + " (Kafka not read); " + lagText;
    } else if (lag != null && lag > 0 && progressAge != null && progressAge > th.stuckAfterSeconds()) {
      verdict = STUCK;
      why = lagText + " and " + batch + " (> " + Ages.of(th.stuckAfterSeconds()) + ")";
    } else if (lag != null && lag > th.lag()) {
      verdict = LAGGING;
      why = lagText + " > " + th.lag() + ", " + batch;
    } else if (lag == null && progressAge == null) {
      verdict = UNKNOWN;
      why = "lag unknown (no committed offsets) and no heartbeat";
    } else {
      verdict = OK;
      why = lagText + ", " + batch;
    }
    if (progressAge == null && lag != null && lag > 0 && !NO_CONSUMERS.equals(verdict)) {
      why += " (no heartbeat from this scope's consumers: STUCK cannot be told from slow)";
    }
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("scope", scope);
    m.put("group", group);
    m.put("verdict", verdict);
    m.put("lag", lag);
    m.put("members", members);
    m.put("running", running);
    m.put("lastSeenSecondsAgo", seenAge);
    m.put("lastBatchSecondsAgo", progressAge);
    m.put("why", why);
    return m;
  }

  private static @Nullable Long min(@Nullable Long a, long b) {
    return a == null ? b : Math.min(a, b);
  }

  private static long number(@Nullable Object o) {
    return o == null ? 0 : ((Number) o).longValue();
  }
}
