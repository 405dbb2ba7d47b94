package io.github.kafkadedup.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DedupConfigTest {
  @Test
  void defaults() {
    DedupConfig c = DedupConfig.defaults();
    assertThat(c.scope()).isNull();
    assertThat(c.mode()).isEqualTo(DedupConfig.Mode.ENFORCE);
    assertThat(c.maxKeyBytes()).isEqualTo(512);
    assertThat(c.oversizedKeys()).isEqualTo(DedupConfig.OversizedKeys.REJECT);
    assertThat(c.deadLetteredReplay()).isEqualTo(DedupConfig.DeadLetteredReplay.RECOVER);
    assertThat(c.maxAttempts()).isEqualTo(5);
  }

  @Test
  void toBuilderCopiesEverySetting() {
    DedupConfig c = DedupConfig.builder().scope("billing").mode(DedupConfig.Mode.OBSERVE).maxKeyBytes(64)
        .oversizedKeys(DedupConfig.OversizedKeys.HASH).deadLetteredReplay(DedupConfig.DeadLetteredReplay.SKIP)
        .maxAttempts(3).backoff(Duration.ofMillis(5), Duration.ofMillis(50)).build();
    assertThat(c.toBuilder().build()).hasToString(c.toString());
  }

  @Test
  void blankScope() {
    assertThatThrownBy(() -> DedupConfig.builder().scope(" ")).hasMessage("scope must not be blank, but was ' '");
  }

  @Test
  void scopeWithNul() {
    assertThatThrownBy(() -> DedupConfig.builder().scope("billing\u0000"))
        .hasMessage("scope must not contain U+0000 (NUL), which PostgreSQL text cannot store, but was 'billing\\u0000'");
  }

  @Test
  void longScope() {
    assertThatThrownBy(() -> DedupConfig.builder().scope("s".repeat(256)))
        .hasMessage("scope must be at most 255 UTF-8 bytes, but was 256");
  }

  @Test
  void maxKeyBytesOutOfRange() {
    assertThatThrownBy(() -> DedupConfig.builder().maxKeyBytes(-1))
        .hasMessage("maxKeyBytes must be between 1 and 512, but was -1");
    assertThatThrownBy(() -> DedupConfig.builder().maxKeyBytes(513))
        .hasMessage("maxKeyBytes must be between 1 and 512, but was 513");
  }

  @Test
  void maxAttemptsOutOfRange() {
    assertThatThrownBy(() -> DedupConfig.builder().maxAttempts(0))
        .hasMessage("maxAttempts must be between 1 and 100, but was 0");
  }

  @Test
  void initialBackoffTooShort() {
    assertThatThrownBy(() -> DedupConfig.builder().backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessage("initialBackoff must be at least 1 ms, but was PT0S");
  }

  @Test
  void maxBackoffBelowInitial() {
    assertThatThrownBy(() -> DedupConfig.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage("maxBackoff must be between initialBackoff (PT2S) and 5 minutes, but was PT1S");
  }

  @Test
  void nullsAreRejectedByName() {
    assertThatThrownBy(() -> DedupConfig.builder().mode(null)).hasMessage("mode");
    assertThatThrownBy(() -> DedupConfig.builder().schema(null)).hasMessage("schema");
    assertThatThrownBy(() -> DedupConfig.builder().metrics(null)).hasMessage("metrics");
  }
}
