package io.github.kafkadedup.testsupport;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.Arrays;

/**
 * The entry point of every {@link ChildJvm}: {@code ChildMain <parent pid> <main class> <args...>}. It starts a
 * watchdog that halts this JVM as soon as the process that started it is gone, then runs the real main class.
 *
 * <p>Why: a test JVM can end without running any code of its own (SIGKILL, the OOM killer, Maven killed
 * with its forks, a surefire timeout), so neither {@code close()} nor a shutdown hook in the parent can be
 * relied on to stop its children. The child checks its own parent instead: on Linux and macOS a process
 * whose parent exits is re-parented at once (to init or a sub-reaper), so {@code ProcessHandle.current().parent()}
 * stops naming the pid it was started by, even while the dead parent is still an unreaped zombie.
 */
public final class ChildMain {
  /** How often the watchdog looks at its parent: a child outlives its parent by at most about this long. */
  static final Duration WATCH_INTERVAL = Duration.ofMillis(500);

  /** The exit code of a child that halted because its parent was gone. */
  public static final int PARENT_GONE_EXIT = 86;

  private ChildMain() {}

  /**
   * Starts the parent watchdog and runs {@code args[1]}'s {@code main} with the remaining arguments.
   *
   * @param args the parent's pid, the main class, then that class's arguments
   * @throws Throwable whatever the real main throws, unwrapped (the JVM then prints it and exits with 1)
   */
  public static void main(String[] args) throws Throwable {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: ChildMain <parent pid> <main class> [args...]");
    }
    watchParent(Long.parseLong(args[0]));
    MethodHandle main = MethodHandles.publicLookup().findStatic(Class.forName(args[1]), "main",
        MethodType.methodType(void.class, String[].class));
    main.invokeExact(Arrays.copyOfRange(args, 2, args.length));
  }

  /** Halts this JVM when its parent is no longer {@code parentPid}; checks once before returning. */
  static void watchParent(long parentPid) {
    haltIfOrphaned(parentPid);
    Thread.ofPlatform().daemon().name("child-jvm-parent-watchdog").start(() -> {
      while (true) {
        try {
          Thread.sleep(WATCH_INTERVAL);
        } catch (InterruptedException e) {
          // nobody interrupts this thread on purpose: keep watching
        }
        haltIfOrphaned(parentPid);
      }
    });
  }

  private static void haltIfOrphaned(long parentPid) {
    long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    if (parent != parentPid) {
      // halt, not exit: shutdown hooks could wait on a broker or database the dead test owned
      System.err.println("[child-jvm] the test JVM that started this one (pid " + parentPid
          + ") is gone (parent now " + parent + "): halting");
      System.err.flush();
      Runtime.getRuntime().halt(PARENT_GONE_EXIT);
    }
  }
}
