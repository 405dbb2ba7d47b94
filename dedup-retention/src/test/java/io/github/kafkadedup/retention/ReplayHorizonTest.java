package io.github.kafkadedup.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayHorizonTest {
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  private static final long DAY_MS = Duration.ofDays(1).toMillis();

  @Test
  void theLongestKeptTopicDecides() {
    ReplayHorizon h = new ReplayHorizon(Map.of("a", 3 * DAY_MS, "b", 10 * DAY_MS), NOW.minus(Duration.ofDays(2)));
    assertThat(h.replayableSince(NOW)).isEqualTo(NOW.minus(Duration.ofDays(10)));
  }

  @Test
  void aRecordOlderThanTheRetentionStillInAnUnexpiredSegmentDecides() {
    ReplayHorizon h = new ReplayHorizon(Map.of("a", 7 * DAY_MS), NOW.minus(Duration.ofDays(9)));
    assertThat(h.replayableSince(NOW)).isEqualTo(NOW.minus(Duration.ofDays(9)));
  }

  @Test
  void aTopicKeptForeverMeansEveryKeyMayBeNeeded() {
    ReplayHorizon h = new ReplayHorizon(Map.of("a", 7 * DAY_MS, "b", -1L), NOW.minus(Duration.ofDays(1)));
    assertThat(h.replayableSince(NOW)).isEqualTo(Instant.MIN);
  }

  @Test
  void emptyTopicsAreBoundByTheirRetention() {
    ReplayHorizon h = new ReplayHorizon(Map.of("a", 7 * DAY_MS), null);
    assertThat(h.replayableSince(NOW)).isEqualTo(NOW.minus(Duration.ofDays(7)));
  }
}
