package io.github.kafkadedup.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class DemoOptionsTest {

  @Test
  void defaultsRunTwentyThousandOrdersWithTenPercentResendsAndTwoKills() {
    DemoOptions options = DemoOptions.parse();

    assertThat(options).isEqualTo(new DemoOptions(20_000, 2_000, 3, 2, 12, true));
    assertThat(options.published()).isEqualTo(22_000);
  }

  @Test
  void parsesEveryOption() {
    DemoOptions options = DemoOptions.parse("--messages", "2_000", "--duplicates", "0", "--consumers", "2",
        "--kill", "1", "--seconds", "5", "--no-dedup");

    assertThat(options).isEqualTo(new DemoOptions(2_000, 0, 2, 1, 5, false));
  }

  @Test
  void duplicatesDefaultToTenPercentOfTheMessages() {
    assertThat(DemoOptions.parse("--messages", "500").duplicates()).isEqualTo(50);
  }

  @Test
  void rejectsAnUnknownOption() {
    assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--dedup"))
        .withMessage("unknown option '--dedup'");
  }

  @Test
  void rejectsAMissingOrMalformedNumber() {
    assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--messages"))
        .withMessage("--messages needs a number");
    assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--kill", "two"))
        .withMessage("--kill needs a number, but was 'two'");
  }

  @Test
  void rejectsOutOfRangeValues() {
    assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--messages", "0"))
        .withMessage("--messages must be at least 1, but was 0");
    assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--consumers", "0"))
        .withMessage("--consumers must be at least 1, but was 0");
    assertThatIllegalArgumentException().isThrownBy(() -> DemoOptions.parse("--duplicates", "-1"))
        .withMessage("--duplicates must be at least 0, but was -1");
  }
}
