package io.github.kafkadedup.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetentionJobTest {
  @Test
  void durationsInLogLinesReadAsDaysHoursMinutes() {
    assertThat(RetentionJob.human(Duration.ofDays(10))).isEqualTo("10d");
    assertThat(RetentionJob.human(Duration.ofDays(9).plusHours(12).plusSeconds(2))).isEqualTo("9d 12h");
    assertThat(RetentionJob.human(Duration.ofMinutes(61))).isEqualTo("1h 1m");
    assertThat(RetentionJob.human(Duration.ofSeconds(42))).isEqualTo("42s");
  }
}
