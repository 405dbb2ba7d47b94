package io.github.kafkadedup.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue 24: failure groups mask what varies per record and keep what names the cause. */
class FingerprintsTest {

  @Test
  void numbersIdsAndHexRunsAreMasked() {
    assertThat(Fingerprints.mask("account 1042 is locked (order 7f3e2a10-9c1b-4d2e-8f00-1a2b3c4d5e6f, tx deadbeef42)"))
        .isEqualTo("account <n> is locked (order <uuid>, tx <hex>)");
    assertThat(Fingerprints.mask("For input string: \"12,50\"")).isEqualTo("For input string: \"<n>,<n>\"");
    assertThat(Fingerprints.mask(null)).isEmpty();
  }

  @Test
  void oneCauseIsOneGroupAndEachPartCounts() {
    String a = Fingerprints.of("billing", "orders", "handler_failed", "java.lang.IllegalStateException",
        "account 1042 is locked");
    assertThat(a).hasSize(16).isEqualTo(Fingerprints.of("billing", "orders", "handler_failed",
        "java.lang.IllegalStateException", "account 77 is locked"));
    assertThat(a).isNotEqualTo(Fingerprints.of("shipping", "orders", "handler_failed",
        "java.lang.IllegalStateException", "account 1042 is locked"));
    assertThat(a).isNotEqualTo(Fingerprints.of("billing", "orders", "handler_failed",
        "java.lang.IllegalArgumentException", "account 1042 is locked"));
    assertThat(a).isNotEqualTo(Fingerprints.of("billing", "orders", "handler_failed",
        "java.lang.IllegalStateException", "account 1042 is closed"));
  }
}
