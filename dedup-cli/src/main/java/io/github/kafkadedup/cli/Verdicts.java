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
    Beats b = Beats.of(beats, th);
    String[] verdict = decide(group, lag, members, b, th);
    String why = verdict[1];
    if (b.progressAge() == null && lag != null && lag > 0 && !NO_CONSUMERS.equals(verdict[0])) {
      why += " (no heartbeat from this scope's consumers: STUCK cannot be told from slow)";
    }
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("scope", scope);
    m.put("group", group);
    m.put("verdict", verdict[0]);
    m.put("lag", lag);
    m.put("members", members);
    m.put("running", b.running());
    m.put("lastSeenSecondsAgo", b.seenAge());
    m.put("lastBatchSecondsAgo", b.progressAge());
    m.put("why", why);
    return m;
  }

  /** The verdict and why, by the rules of the class description, in their order. */
  private static String[] decide(String group, @Nullable Long lag, @Nullable Integer members, Beats b,
      Thresholds th) {
    String lagText = lag == null ? "lag unknown" : "lag " + lag;
    String batch = b.progressAge() == null ? "no heartbeat" : "last batch " + Ages.ago(b.progressAge());
    if (members != null && members == 0) {
      return new String[] {NO_CONSUMERS, "group " + group + " has no members; " + lagText};
    }
    if (members == null && b.count() == 0) {
      return new String[] {UNKNOWN, "no heartbeat and no Kafka: give --bootstrap-servers; " + lagText};
    }
    if (members == null && b.running() == 0) {
      return new String[] {NO_CONSUMERS, "no heartbeat for " + Ages.of(b.seenAge()) + " (Kafka not read); " + lagText};
    }
    if (lag != null && lag > 0 && b.progressAge() != null && b.progressAge() > th.stuckAfterSeconds()) {
      return new String[] {STUCK, lagText + " and " + batch + " (> " + Ages.of(th.stuckAfterSeconds()) + ")"};
    }
    if (lag != null && lag > th.lag()) {
      return new String[] {LAGGING, lagText + " > " + th.lag() + ", " + batch};
    }
    if (lag == null && b.progressAge() == null) {
      return new String[] {UNKNOWN, "lag unknown (no committed offsets) and no heartbeat"};
    }
    return new String[] {OK, lagText + ", " + batch};
  }

  /**
   * What a scope's heartbeats say: the youngest last batch (or start, before any batch) and last poll, in seconds
   * ago, and how many instances run (not stopped, seen within the stuck threshold).
   */
  private record Beats(int count, @Nullable Long progressAge, @Nullable Long seenAge, int running) {
    static Beats of(List<Map<String, @Nullable Object>> beats, Thresholds th) {
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
      return new Beats(beats.size(), progressAge, seenAge, running);
    }
  }

  private static @Nullable Long min(@Nullable Long a, long b) {
    return a == null ? b : Math.min(a, b);
  }

  private static long number(@Nullable Object o) {
    return o == null ? 0 : ((Number) o).longValue();
  }
}
