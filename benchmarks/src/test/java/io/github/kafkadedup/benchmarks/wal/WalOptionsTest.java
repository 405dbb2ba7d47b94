package io.github.kafkadedup.benchmarks.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WalOptionsTest {

  @Test
  void defaultsAreTheIssuesRun() {
    WalOptions o = WalOptions.parse();

    assertThat(o.prefill()).isEqualTo(5_000_000);
    assertThat(o.seconds()).isEqualTo(60);
    assertThat(o.expired()).isEqualTo(1_000_000);
    assertThat(o.batch()).isEqualTo(500);
    assertThat(o.variants()).containsExactly(WalVariant.values());
    assertThat(o.jdbcUrl()).isNull();
  }

  @Test
  void quickIsSmallAndLaterOptionsWin() {
    WalOptions o = WalOptions.parse("--quick", "--seconds", "3", "--variants", "v1-text, v2-hashed");

    assertThat(o.prefill()).isEqualTo(20_000);
    assertThat(o.seconds()).isEqualTo(3);
    assertThat(o.variants()).isEqualTo(List.of(WalVariant.V1_TEXT, WalVariant.V2_HASHED));
  }

  @Test
  void badValuesNameTheOption() {
    assertThatThrownBy(() -> WalOptions.parse("--seconds", "0")).hasMessageContaining("--seconds");
    assertThatThrownBy(() -> WalOptions.parse("--variants", "v3")).hasMessageContaining("--variants")
        .hasMessageContaining("v3");
    assertThatThrownBy(() -> WalOptions.parse("--prefill")).hasMessageContaining("pairs");
    assertThatThrownBy(() -> WalOptions.parse("--bogus", "1")).hasMessageContaining("--bogus");
  }
}
