package io.github.kafkadedup.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChildJvmIT {
  @Test
  void childJvmCanBeKilledWithSigkill() {
    try (ChildJvm child = ChildJvm.builder(SleepingMain.class).args("a", "b").start()) {
      assertThat(child.awaitLine("ready", Duration.ofSeconds(30))).isEqualTo("ready a,b");
      child.kill();
      assertThat(child.isAlive()).isFalse();
      // 128 + 9: killed by SIGKILL, no shutdown hook ran
      assertThat(child.waitFor(Duration.ofSeconds(5))).isEqualTo(137);
    }
  }

  @Test
  void aWaitOnAChildThatDiedEndsAtOnceWithItsExitCodeAndLastOutput() {
    // a child that halts at once: ChildMain is told a parent that is not this JVM
    String notTheParent = Long.toString(ProcessHandle.current().pid() + 1_000_000);
    try (ChildJvm child = ChildJvm.builder(ChildMain.class).name("dies")
        .args(notTheParent, SleepingMain.class.getName()).start()) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> child.awaitLine("never printed", Readiness.BOUND))
          .hasMessageContaining("ended before printing the expected line")
          .hasMessageContaining("exited with " + ChildMain.PARENT_GONE_EXIT)
          .hasMessageContaining("halting");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not the whole bound").isLessThan(Readiness.BOUND);
    }
  }
}
