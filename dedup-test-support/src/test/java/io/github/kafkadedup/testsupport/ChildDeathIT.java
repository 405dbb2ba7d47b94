package io.github.kafkadedup.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Every process a test starts dies with it, even when the test JVM is SIGKILLed and runs no code of its own:
 * here the "test JVM" is a child ({@link MiddleMain}) that starts a grandchild JVM through {@link ChildJvm} and
 * an embedded PostgreSQL through {@link TestPostgres}; it is SIGKILLed, and both must be gone within the bound.
 */
class ChildDeathIT {
  /** ChildMain looks at its parent every 0.5 s; the rest is scheduling on a loaded machine. */
  private static final Duration BOUND = Duration.ofSeconds(60);

  @Test
  void aSigkilledJvmTakesItsChildJvmAndItsPostgresWithIt() throws Exception {
    try (ChildJvm middle = ChildJvm.builder(MiddleMain.class).name("middle").args("postgres").start()) {
      ProcessHandle grandchild = handle(middle.awaitLine(l -> l.startsWith("grandchild "), Readiness.BOUND));
      ProcessHandle postmaster = handle(middle.awaitLine(l -> l.startsWith("postmaster "), Readiness.BOUND));
      middle.awaitLine("middle ready", Readiness.BOUND);
      assertThat(grandchild.isAlive()).as("grandchild before the kill").isTrue();
      assertThat(postmaster.isAlive()).as("postmaster before the kill").isTrue();

      long killed = System.nanoTime();
      middle.kill(); // returns once the middle is gone and its output is read to the end

      assertThat(awaitGone(grandchild)).as("grandchild JVM %d gone within %s", grandchild.pid(), BOUND).isTrue();
      long grandchildGone = System.nanoTime() - killed;
      assertThat(awaitGone(postmaster)).as("postmaster %d gone within %s", postmaster.pid(), BOUND).isTrue();
      long postmasterGone = System.nanoTime() - killed;
      System.out.printf("after SIGKILL of the middle JVM: grandchild gone in %d ms, postmaster in %d ms%n",
          grandchildGone / 1_000_000, postmasterGone / 1_000_000);
    }
  }

  @Test
  void aChildWhoseParentIsAlreadyGoneHaltsAtOnce() {
    // the pid of a parent that is not this JVM: ChildMain sees it is not its parent and halts with its code
    try (ChildJvm child = ChildJvm.builder(ChildMain.class).name("orphan")
        .args(Long.toString(ProcessHandle.current().pid() + 1_000_000), SleepingMain.class.getName()).start()) {
      assertThat(child.waitFor(Readiness.BOUND)).isEqualTo(ChildMain.PARENT_GONE_EXIT);
      assertThat(child.output()).anyMatch(l -> l.contains("is gone") && l.contains("halting"));
    }
  }

  private static ProcessHandle handle(String line) {
    long pid = Long.parseLong(line.substring(line.indexOf(' ') + 1).trim());
    return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("process " + pid + " is not running"));
  }

  /** Waits until the process has ended (an unreaped zombie counts as ended); false after {@link #BOUND}. */
  private static boolean awaitGone(ProcessHandle process) throws InterruptedException {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive() || isZombie(process.pid())) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  private static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException | RuntimeException e) {
      return false; // no /proc (macOS): isAlive() alone decides
    }
  }
}
