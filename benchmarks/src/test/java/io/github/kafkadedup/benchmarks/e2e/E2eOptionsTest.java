package io.github.kafkadedup.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class E2eOptionsTest {

  @Test
  void defaultsAreTheIssuesFullRun() {
    E2eOptions o = E2eOptions.parse();
    assertThat(o.records()).isEqualTo(1_000_000);
    assertThat(o.partitions()).isEqualTo(12);
    assertThat(o.runs()).isEqualTo(3);
    assertThat(o.modes()).containsExactlyElementsOf(Mode.DEFAULTS);
    assertThat(o.target(Mode.CLAIMS)).isEqualTo(1_000_000);
    assertThat(o.target(Mode.PER_RECORD)).isEqualTo(30_000);
  }

  @Test
  void parsesEveryOption() {
    E2eOptions o = E2eOptions.parse("--records", "2_000", "--partitions", "3", "--runs", "1", "--modes",
        "baseline,per-record", "--per-record-records", "5000", "--warmup-records", "0", "--consumers", "2",
        "--max-poll-records", "100", "--rows-per-record", "5", "--prefill-claims", "5_000_000",
        "--pg-delay-ms", "1", "--keys", "uuidv7");
    assertThat(o).isEqualTo(new E2eOptions(2000, 3, 1, List.of(Mode.BASELINE, Mode.PER_RECORD), 2000, 0, 2,
        100, 5, 5_000_000, 1, true, 1));
  }

  @Test
  void parsesConsumerJvmsAndRefusesThemForModesThatNeedOneJvm() {
    assertThat(E2eOptions.parse("--modes", "baseline,claims,natural-key", "--consumer-jvms", "4").consumerJvms())
        .isEqualTo(4);
    assertThatThrownBy(() -> E2eOptions.parse("--modes", "baseline,spring-batch", "--consumer-jvms", "2"))
        .hasMessageStartingWith("--consumer-jvms above 1 supports only the modes");
  }

  @Test
  void rejectsRecords() {
    assertThatThrownBy(() -> E2eOptions.parse("--records", "0"))
        .hasMessage("--records must be at least 1, but was 0");
  }

  @Test
  void rejectsPartitions() {
    assertThatThrownBy(() -> E2eOptions.parse("--partitions", "twelve"))
        .hasMessage("--partitions must be a number, but was 'twelve'");
  }

  @Test
  void rejectsRuns() {
    assertThatThrownBy(() -> E2eOptions.parse("--runs", "-1"))
        .hasMessage("--runs must be at least 1, but was -1");
  }

  @Test
  void rejectsModes() {
    assertThatThrownBy(() -> E2eOptions.parse("--modes", "baseline,fast"))
        .hasMessage("--modes must list baseline, baseline-natural, claims, claims-record, claims-record-traced, "
            + "sequenced, offsets, offsets-only, natural-key, per-record, replay, outbox, outbox-traced, direct-send, "
            + "outbox-chain, spring-alo, spring-record, spring-batch, but has 'fast'");
  }

  @Test
  void rejectsKeys() {
    assertThatThrownBy(() -> E2eOptions.parse("--keys", "v4"))
        .hasMessage("--keys must be random or uuidv7, but was 'v4'");
  }

  @Test
  void rejectsPerRecordRecords() {
    assertThatThrownBy(() -> E2eOptions.parse("--per-record-records", "0"))
        .hasMessage("--per-record-records must be at least 1, but was 0");
  }

  @Test
  void rejectsWarmupRecords() {
    assertThatThrownBy(() -> E2eOptions.parse("--warmup-records", "-5"))
        .hasMessage("--warmup-records must be at least 0, but was -5");
  }

  @Test
  void rejectsConsumers() {
    assertThatThrownBy(() -> E2eOptions.parse("--consumers", "0"))
        .hasMessage("--consumers must be at least 1, but was 0");
  }

  @Test
  void rejectsMaxPollRecords() {
    assertThatThrownBy(() -> E2eOptions.parse("--max-poll-records", "0"))
        .hasMessage("--max-poll-records must be at least 1, but was 0");
  }

  @Test
  void rejectsRowsPerRecord() {
    assertThatThrownBy(() -> E2eOptions.parse("--rows-per-record", "0"))
        .hasMessage("--rows-per-record must be at least 1, but was 0");
  }

  @Test
  void rejectsUnknownOptionsAndOddArguments() {
    assertThatThrownBy(() -> E2eOptions.parse("--speed", "1")).hasMessageStartingWith("unknown option --speed");
    assertThatThrownBy(() -> E2eOptions.parse("--records")).hasMessageStartingWith("arguments come in pairs");
  }
}
