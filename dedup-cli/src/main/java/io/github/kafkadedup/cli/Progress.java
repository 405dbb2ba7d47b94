package io.github.kafkadedup.cli;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * "Still working" lines on stderr for a step that takes longer than a second (a count over a large claim
 * table, a migration, an unreachable broker), so the person at the terminal knows it did not hang. A step
 * that ends within the second prints nothing: short commands stay quiet and their output script-friendly.
 */
final class Progress implements AutoCloseable {
  private static final long FIRST_MS = 1_000;
  private static final long EVERY_MS = 2_000;

  private final PrintWriter err;
  private final Supplier<String> what;
  private final long start = System.nanoTime();
  private final ScheduledExecutorService timer;
  private volatile boolean reported;

  private Progress(PrintWriter err, Supplier<String> what) {
    this.err = err;
    this.what = what;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kafka-dedup-progress");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(this::tick, FIRST_MS, EVERY_MS, TimeUnit.MILLISECONDS);
  }

  /** Starts reporting {@code what} (for example "counting claims") after a second. */
  static Progress start(PrintWriter err, String what) {
    return new Progress(err, () -> what);
  }

  /** Starts reporting after a second; {@code what} is asked again at each line (for example "3 of 20 done"). */
  static Progress start(PrintWriter err, Supplier<String> what) {
    return new Progress(err, what);
  }

  private void tick() {
    reported = true;
    synchronized (err) {
      err.println("... " + what.get() + " (" + seconds() + " s)");
      err.flush();
    }
  }

  private long seconds() {
    return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    if (reported) {
      synchronized (err) {
        err.println("... " + what.get() + ": done in " + seconds() + " s");
        err.flush();
      }
    }
  }
}
