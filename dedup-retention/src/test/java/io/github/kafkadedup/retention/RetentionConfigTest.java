package io.github.kafkadedup.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.kafkadedup.migrations.DedupSchema;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetentionConfigTest {
  private static RetentionConfig.Builder valid() {
    return RetentionConfig.builder().window(Duration.ofDays(14));
  }

  @Test
  void defaults() {
    RetentionConfig c = valid().build();
    assertThat(c.window()).isEqualTo(Duration.ofDays(14));
    assertThat(c.minimumWindow()).isEqualTo(Duration.ofDays(7));
    assertThat(c.forceShortWindow()).isFalse();
    assertThat(c.batchSize()).isEqualTo(10_000);
    assertThat(c.scope()).isNull();
    assertThat(c.schema()).isEqualTo(DedupSchema.DEFAULT);
  }

  @Test
  void toBuilderCopiesEverySetting() {
    RetentionConfig c = RetentionConfig.builder().window(Duration.ofHours(1)).minimumWindow(Duration.ofDays(2))
        .forceShortWindow(true).batchSize(500).scope("billing").schema(DedupSchema.of("dedup", "kd_")).build();
    assertThat(c.toBuilder().build()).hasToString(c.toString());
  }

  @Test
  void generationLengthDefaultsToHalfTheWindowAndFollowsIt() {
    RetentionConfig c = valid().build();
    assertThat(c.generationLength()).isEqualTo(Duration.ofDays(7));
    assertThat(c.toBuilder().window(Duration.ofDays(30)).build().generationLength()).isEqualTo(Duration.ofDays(15));
    assertThat(valid().generationLength(Duration.ofDays(3)).build().generationLength()).isEqualTo(Duration.ofDays(3));
  }

  @Test
  void generationLengthTooShort() {
    assertThatThrownBy(() -> valid().generationLength(Duration.ofSeconds(59)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("generationLength must be at least PT1M, but was PT59S");
  }

  @Test
  void generationLengthLongerThanTheWindow() {
    assertThatThrownBy(() -> valid().generationLength(Duration.ofDays(15)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("generationLength PT360H is longer than the window PT336H");
  }

  @Test
  void windowIsRequired() {
    assertThatThrownBy(() -> RetentionConfig.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("window must be set: how long claimed keys are kept (the dedup window)");
  }

  @Test
  void zeroWindow() {
    assertThatThrownBy(() -> RetentionConfig.builder().window(Duration.ZERO))
        .hasMessage("window must be between 1 ns and 3650 days, but was PT0S");
  }

  @Test
  void windowTooLong() {
    assertThatThrownBy(() -> RetentionConfig.builder().window(Duration.ofDays(3_651)))
        .hasMessage("window must be between 1 ns and 3650 days, but was PT87624H");
  }

  @Test
  void negativeMinimumWindow() {
    assertThatThrownBy(() -> RetentionConfig.builder().minimumWindow(Duration.ofDays(-1)))
        .hasMessage("minimumWindow must be between 1 ns and 3650 days, but was PT-24H");
  }

  @Test
  void batchSizeTooSmall() {
    assertThatThrownBy(() -> RetentionConfig.builder().batchSize(0))
        .hasMessage("batchSize must be between 1 and 1000000, but was 0");
  }

  @Test
  void batchSizeTooLarge() {
    assertThatThrownBy(() -> RetentionConfig.builder().batchSize(1_000_001))
        .hasMessage("batchSize must be between 1 and 1000000, but was 1000001");
  }

  @Test
  void blankScope() {
    assertThatThrownBy(() -> RetentionConfig.builder().scope(" "))
        .hasMessage("scope must not be blank, but was ' '");
  }

  @Test
  void longScope() {
    assertThatThrownBy(() -> RetentionConfig.builder().scope("s".repeat(256)))
        .hasMessage("scope must be at most 255 UTF-8 bytes, but was 256");
  }

  @Test
  void scopeWithNul() {
    // a scope the claim could never have stored would match no row: rejected like DedupConfig's
    assertThatThrownBy(() -> RetentionConfig.builder().scope("a\u0000b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+0000");
  }

  @Test
  void nullSchema() {
    assertThatThrownBy(() -> RetentionConfig.builder().schema(null)).hasMessage("schema");
  }

  @Test
  void windowBelowTheMinimumIsRejectedWithAnExplanation() {
    assertThatThrownBy(() -> RetentionConfig.builder().window(Duration.ofDays(2)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("window PT48H is shorter than minimumWindow PT168H. The window is how long a "
            + "processed key is remembered: a re-send or replay of a record older than the window is no longer "
            + "recognised as a duplicate and is processed again.")
        .hasMessageContaining("longer than the topics' retention.ms")
        .hasMessageEndingWith("set forceShortWindow(true) only if no record can come back after PT48H");
  }

  @Test
  void shortWindowIsAcceptedWhenForcedOrWhenTheMinimumIsLowered() {
    assertThat(RetentionConfig.builder().window(Duration.ofDays(2)).forceShortWindow(true).build().window())
        .isEqualTo(Duration.ofDays(2));
    assertThat(RetentionConfig.builder().minimumWindow(Duration.ofDays(1)).window(Duration.ofDays(2)).build()
        .window()).isEqualTo(Duration.ofDays(2));
  }
}
