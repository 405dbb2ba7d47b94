package io.github.kafkadedup.benchmarks.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time of the server processes that work for the measured connection: its backend, and the
 * checkpointer, background writer and WAL writer, read from {@code /proc/<pid>/stat} (utime + stime), so
 * only for a server on this machine. Autovacuum workers come and go and are not counted.
 */
final class ServerCpu {
  private static final long TICKS_PER_SECOND = ticksPerSecond();

  /** pid to what it is. */
  private final Map<Long, String> processes;

  private ServerCpu(Map<Long, String> processes) {
    this.processes = processes;
  }

  /** The processes serving {@code c}. */
  static ServerCpu of(Connection c) throws SQLException {
    Map<Long, String> processes = new LinkedHashMap<>();
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        processes.put(rs.getLong(1), "backend");
      }
      try (ResultSet rs = s.executeQuery("SELECT pid, backend_type FROM pg_stat_activity WHERE backend_type IN"
          + " ('checkpointer', 'background writer', 'walwriter') ORDER BY backend_type")) {
        while (rs.next()) {
          processes.put(rs.getLong(1), rs.getString(2));
        }
      }
    }
    return new ServerCpu(processes);
  }

  /** Microseconds of CPU the processes have used so far, or -1 if they cannot be seen from here. */
  long micros() {
    long ticks = 0;
    for (long pid : processes.keySet()) {
      long t = ticks(pid);
      if (t < 0) {
        return -1;
      }
      ticks += t;
    }
    return ticks * 1_000_000 / TICKS_PER_SECOND;
  }

  /** Which processes are counted, e.g. {@code backend 123, checkpointer 45, ...}. */
  String describe() {
    String list = processes.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "));
    return micros() < 0 ? list + " (not visible in /proc here: cpu reported as -1)" : list;
  }

  private static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long ticksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor() == 0 ? Long.parseLong(out) : 100;
    } catch (IOException | RuntimeException e) {
      return 100; // USER_HZ on every Linux build seen
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
