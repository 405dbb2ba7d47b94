package io.github.kafkadedup.examples.demo;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A status line redrawn in place four times a second on a terminal (one line every few seconds when the
 * output is a file or a pipe), with event lines printed above it.
 */
final class ProgressLine implements AutoCloseable {
  private final PrintStream out;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r ->
      Thread.ofPlatform().daemon().name("demo-progress").unstarted(r));
  private final Supplier<String> status;
  private int width;
  private boolean closed;

  ProgressLine(PrintStream out, boolean terminal, Supplier<String> status) {
    this.out = out;
    this.terminal = terminal;
    this.status = status;
    ticker.scheduleAtFixedRate(this::redraw, 0, terminal ? 250 : 3000, TimeUnit.MILLISECONDS);
  }

  /** Seconds since the demo started, as {@code [ 12.3s]}. */
  String clock() {
    return "[%5.1fs]".formatted((System.nanoTime() - started) / 1e9);
  }

  /** Prints {@code text} as a line of its own above the status line. */
  synchronized void event(String text) {
    clear();
    out.println(clock() + " " + text);
    draw();
  }

  private synchronized void redraw() {
    if (!closed) {
      clear();
      draw();
    }
  }

  private void draw() {
    String line;
    try {
      line = clock() + " " + status.get();
    } catch (RuntimeException e) {
      return; // a status query failed (e.g. the broker is busy): skip this tick
    }
    if (terminal) {
      out.print(line);
      width = line.length();
    } else {
      out.println(line);
    }
    out.flush();
  }

  private void clear() {
    if (terminal && width > 0) {
      out.print("\r" + " ".repeat(width) + "\r");
      width = 0;
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    ticker.shutdownNow();
    clear();
    draw();
    if (terminal) {
      out.println();
    }
  }
}
