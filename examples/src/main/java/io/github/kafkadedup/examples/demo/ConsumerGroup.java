package io.github.kafkadedup.examples.demo;

import io.github.kafkadedup.testsupport.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's consumer group: each member a {@link DemoConsumerMain} in a JVM of its own, so that it can be
 * killed with SIGKILL the way a crash or the OOM killer would. Keeps every JVM ever started, so the counts
 * printed by killed members still add up in the report.
 */
final class ConsumerGroup implements AutoCloseable {
  private static final Pattern STATS =
      Pattern.compile("stats processed=(\\d+) redeliveries=(\\d+) resends=(\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final List<String> commonArgs;
  private final Path controlDir;
  // the scenario changes the group, the progress line reads its size: both thread-safe
  private final Map<String, ChildJvm> running = new ConcurrentSkipListMap<>();
  private final List<ChildJvm> all = new CopyOnWriteArrayList<>();

  /** Counts summed over every member: records applied, and duplicates dropped by cause. */
  record Counts(long processed, long redeliveries, long resends) {}

  ConsumerGroup(String bootstrapServers, String jdbcUrl, String user, String password, String topic, String group,
      boolean dedup, Path controlDir) {
    this.commonArgs = List.of(bootstrapServers, jdbcUrl, user, password, topic, group,
        dedup ? "dedup" : "no-dedup", controlDir.toString());
    this.controlDir = controlDir;
  }

  /** Starts the members {@code names} (in parallel) and waits until each runs. */
  void start(String... names) {
    for (String name : names) {
      launch(name);
    }
    for (String name : names) {
      running.get(name).awaitLine("ready", START_TIMEOUT);
    }
  }

  /** Starts member {@code name} without waiting for it: it joins the group once its JVM is up. */
  void launch(String name) {
    List<String> args = new ArrayList<>(commonArgs);
    args.add(name);
    ChildJvm child = ChildJvm.builder(DemoConsumerMain.class).name(name).args(args).start();
    running.put(name, child);
    all.add(child);
  }

  /**
   * Asks member {@code name} to stop at {@code point} in its next batch, kills it there with SIGKILL, and
   * starts it again (without waiting for the new JVM).
   *
   * @return false if it reached no batch within 15 s (it is killed anyway, wherever it was)
   */
  boolean crashAndRestart(String name, CrashPoint point) {
    ChildJvm victim = running.get(name);
    point.arm(controlDir, name);
    boolean reached;
    try {
      victim.awaitLine("crash-point " + point.wireName(), Duration.ofSeconds(15));
      reached = true;
    } catch (AssertionError noBatch) { // how ChildJvm (test infrastructure) reports a timeout
      reached = false;
    }
    victim.kill();
    try {
      Files.deleteIfExists(CrashPoint.file(controlDir, name));
    } catch (IOException e) {
      throw new IllegalStateException("cannot remove the crash request of " + name, e);
    }
    launch(name);
    return reached;
  }

  /** Stops member {@code name} cleanly (SIGTERM): it finishes its batch and leaves the group. */
  void stop(String name) {
    running.remove(name).terminate();
  }

  /** Live members. */
  int size() {
    return running.size();
  }

  /**
   * The live member with the most records still to process (by {@code lag}, per partition), so that a
   * crash requested now hits a batch.
   */
  String busiest(Map<Integer, Long> lag) {
    String busiest = running.keySet().iterator().next();
    long most = -1;
    for (Map.Entry<String, ChildJvm> e : running.entrySet()) {
      long pending = owned(e.getValue()).stream().mapToLong(p -> lag.getOrDefault(p, 0L)).sum();
      if (pending > most) {
        most = pending;
        busiest = e.getKey();
      }
    }
    return busiest;
  }

  /** Waits until the live members together own all {@code partitions} (the group has formed). */
  void awaitAssigned(int partitions, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (running.values().stream().mapToInt(child -> owned(child).size()).sum() < partitions) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the consumers were not assigned all " + partitions + " partitions within "
            + timeout + "; see " + Path.of("target", "child-logs").toAbsolutePath());
      }
      Thread.sleep(50);
    }
  }

  /** The partitions {@code child} owns, from the last {@code owns [..]} line it printed. */
  private static List<Integer> owned(ChildJvm child) {
    List<String> lines = child.output();
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i);
      if (line.startsWith("owns [")) {
        String inner = line.substring("owns [".length(), line.length() - 1).trim();
        return inner.isEmpty() ? List.of()
            : Arrays.stream(inner.split(",")).map(String::trim).map(Integer::valueOf).toList();
      }
    }
    return List.of();
  }

  /** Stops every member cleanly, then sums the last totals each JVM printed. */
  Counts stopAndCount() {
    new ArrayList<>(running.keySet()).forEach(this::stop);
    long processed = 0;
    long redeliveries = 0;
    long resends = 0;
    for (ChildJvm child : all) {
      Matcher last = null;
      for (String line : child.output()) {
        Matcher m = STATS.matcher(line);
        if (m.matches()) {
          last = m;
        }
      }
      if (last != null) {
        processed += Long.parseLong(last.group(1));
        redeliveries += Long.parseLong(last.group(2));
        resends += Long.parseLong(last.group(3));
      }
    }
    return new Counts(processed, redeliveries, resends);
  }

  @Override
  public void close() {
    running.values().forEach(ChildJvm::close);
    running.clear();
  }
}
