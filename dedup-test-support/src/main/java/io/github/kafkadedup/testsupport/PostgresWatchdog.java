package io.github.kafkadedup.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the embedded PostgreSQL when the test JVM that started it is gone, however it ended.
 *
 * <p>zonky starts the server with {@code pg_ctl start}, which leaves the postmaster a child of nobody (init), and
 * stops it from a JVM shutdown hook: a SIGKILLed test JVM (Maven killed, a fork timeout, the OOM killer) would
 * leave the server running, its data directory in the temp folder. PostgreSQL has no parent-death setting of its
 * own. So this starts a small shell process that waits for end-of-file on its stdin, a pipe whose only writer is
 * this JVM: the kernel closes it when the JVM ends, whatever the reason; the shell then sends the postmaster SIGQUIT
 * (immediate shutdown, which takes its backends with it) and deletes the data directory. On a normal end the
 * shutdown hook has already stopped the server and removed its {@code postmaster.pid}, and the shell finds nothing
 * to do. One watchdog per data directory serves every restart: it reads the pid when the JVM is gone.
 */
final class PostgresWatchdog {
  private static final Logger log = LoggerFactory.getLogger(PostgresWatchdog.class);
  private static final String SCRIPT = """
      cat >/dev/null
      pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null) || exit 0
      case "$(ps -p "$pid" -o comm= 2>/dev/null)" in *postgres*) kill -QUIT "$pid" ;; *) exit 0 ;; esac
      for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
      kill -KILL "$pid" 2>/dev/null
      rm -rf "$1"
      """;

  /** Held for the JVM's lifetime: an unreachable Process could have its stdin pipe closed by the cleaner. */
  private static final List<Process> WATCHDOGS = new CopyOnWriteArrayList<>();

  private PostgresWatchdog() {}

  /** Starts the watchdog of the server whose data directory is {@code dataDir}. */
  static void watch(Path dataDir) {
    try {
      Process watchdog = new ProcessBuilder("sh", "-c", SCRIPT, "dedup-test-pg-watchdog", dataDir.toString())
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      WATCHDOGS.add(watchdog);
    } catch (IOException e) {
      // no sh (Windows): the server is stopped by the shutdown hook only, as before
      log.warn("no watchdog for the embedded PostgreSQL in {} ({}): a SIGKILLed test JVM leaves it running",
          dataDir, e.toString());
    }
  }

  /** The postmaster's pid (first line of {@code postmaster.pid}), if the server runs. */
  static OptionalLong postmasterPid(Path dataDir) {
    try {
      String first = Files.readAllLines(dataDir.resolve("postmaster.pid")).getFirst().trim();
      return OptionalLong.of(Long.parseLong(first));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }
}
