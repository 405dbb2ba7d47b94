package io.github.kafkadedup.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

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
}
