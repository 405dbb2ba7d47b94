package io.github.kafkadedup.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The demo itself, small: a group of two consumer JVMs, one SIGKILLed after its database commit and before
 * its offset commit and restarted, a third joining and leaving. With kafka-dedup every order is applied once;
 * without it the re-sends and the redelivered batch double orders. Publishing is spread over 6 s so that the
 * crash lands while records still arrive.
 */
class DemoIT {

  @Test
  void withDedupEveryOrderIsAppliedExactlyOnce() throws Exception {
    DemoOptions options = DemoOptions.parse("--messages", "2000", "--duplicates", "200", "--consumers", "2",
        "--kill", "1", "--seconds", "6");

    Report report = Demo.run(options, System.out, false);

    assertThat(report.caughtUp()).as("every record committed").isTrue();
    assertThat(report.rows()).as("rows in orders").isEqualTo(2000);
    assertThat(report.distinctOrders()).isEqualTo(2000);
    assertThat(report.accountsWrong()).as("accounts whose balance is wrong").isZero();
    assertThat(report.balanceTotal()).isEqualTo(report.expectedTotal());
    assertThat(report.claims()).as("keys in claims").isEqualTo(2000);
    // The engine's counts are printed by each consumer JVM after its batches; a JVM killed right after a
    // database commit takes the counts of its last batches with it, so they are a lower bound. The tables
    // above are the verdict.
    assertThat(report.consumed().processed()).as("records the handlers applied, summed over every JVM")
        .isPositive().isLessThanOrEqualTo(2000);
    assertThat(report.consumed().resends()).as("re-sends dropped").isPositive();
    // the kill waits for a consumer mid-batch; on a quiet machine the group may have caught up first
    assertThat(report.killedMidBatch()).as("killed after its database commit, before its offset commit")
        .isBetween(0, 1);
    if (report.killedMidBatch() == 1) {
      assertThat(report.consumed().redeliveries()).as("the killed consumer's last batch, delivered again")
          .isPositive();
    }
    assertThat(report.pass()).isTrue();
  }

  @Test
  void withoutDedupTheResendsAreAppliedTwiceAndTheBalancesAreWrong() throws Exception {
    DemoOptions options = DemoOptions.parse("--messages", "2000", "--duplicates", "200", "--consumers", "2",
        "--kill", "1", "--seconds", "6", "--no-dedup");

    Report report = Demo.run(options, System.out, false);

    assertThat(report.caughtUp()).as("every record committed").isTrue();
    assertThat(report.distinctOrders()).as("nothing lost").isEqualTo(2000);
    assertThat(report.resentRows()).as("every re-send applied again").isEqualTo(200);
    assertThat(report.killedMidBatch()).isBetween(0, 1); // see above: timing decides whether a batch is in flight
    if (report.killedMidBatch() == 1) {
      assertThat(report.redeliveredRows()).as("the killed consumer's last batch, applied again").isPositive();
    }
    assertThat(report.duplicateRows()).isGreaterThanOrEqualTo(200);
    assertThat(report.ordersAppliedMoreThanOnce()).isPositive();
    assertThat(report.accountsWrong()).isPositive();
    assertThat(report.claims()).as("nothing claimed without the library").isZero();
    assertThat(report.pass()).isFalse();
  }
}
