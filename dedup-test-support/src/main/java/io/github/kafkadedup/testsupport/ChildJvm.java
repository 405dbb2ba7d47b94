package io.github.kafkadedup.testsupport;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Java program run as a separate process on this JVM's class path, so a test can kill it with
 * SIGKILL ({@link #kill()}) the way a crash or the OOM killer would. Its stdout and stderr are kept in
 * memory (for {@link #awaitLine}) and written to {@code target/child-logs/<name>.log}.
 *
 * <p>A child never outlives the JVM that started it: it runs under {@link ChildMain}, which halts it within
 * about a second once its parent is gone, however the parent ended (SIGKILL included); {@link #close()} and a
 * shutdown hook of the parent stop it sooner on ordinary ends.
 */
public final class ChildJvm implements AutoCloseable {
  /** The children of this JVM that may still run: the shutdown hook stops them on a normal exit. */
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
        "child-jvm-reaper"));
  }

  private final String name;
  private final Process process;
  private final long startNanos = System.nanoTime();
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread pump;

  private ChildJvm(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    LIVE.add(process);
    process.onExit().thenRun(() -> LIVE.remove(process));
    this.pump = Thread.ofPlatform().daemon().name("child-" + name).start(() -> pump(logFile));
  }

  /** A builder for a child JVM that runs {@code mainClass}. */
  public static Builder builder(String mainClass) {
    return new Builder(mainClass);
  }

  /** A builder for a child JVM that runs {@code mainClass}. */
  public static Builder builder(Class<?> mainClass) {
    return new Builder(mainClass.getName());
  }

  private void pump(Path logFile) {
    try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        var out = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true)) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
        out.println(line);
      }
    } catch (IOException e) {
      lines.add("[child-jvm] output pump failed: " + e);
    }
  }

  /** The name given at start (also the log file's name). */
  public String name() {
    return name;
  }

  /** The operating-system process id. */
  public long pid() {
    return process.pid();
  }

  /** Whether the process still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Every line printed so far (stdout and stderr merged). */
  public List<String> output() {
    return List.copyOf(lines);
  }

  /** Waits until a printed line matches, or fails naming the child, the wait and its last output. */
  public String awaitLine(Predicate<String> matcher, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    while (System.nanoTime() < deadline) {
      List<String> now = output();
      for (int i = seen; i < now.size(); i++) {
        if (matcher.test(now.get(i))) {
          return now.get(i);
        }
      }
      seen = now.size();
      if (!process.isAlive() && !pump.isAlive()) {
        throw new AssertionError("child JVM " + name + " ended before printing the expected line (waited "
            + waited() + " of " + timeout + "); " + describe() + "; last output:\n" + tail());
      }
      sleep(20);
    }
    throw new AssertionError("child JVM " + name + " printed no expected line within " + timeout + "; "
        + describe() + "; last output:\n" + tail());
  }

  /**
   * Where the process stands, for failure messages: pid, alive or its exit code, its age and the CPU time it
   * has had (a JVM that got little CPU on a loaded machine was slow, not stuck).
   */
  public String describe() {
    String state = process.isAlive() ? "alive" : "exited with " + process.exitValue();
    String cpu = process.info().totalCpuDuration().map(d -> d.toMillis() + " ms CPU").orElse("CPU unknown");
    return "pid " + process.pid() + " " + state + ", started " + age().toSeconds() + " s ago, " + cpu + ", "
        + lines.size() + " lines of output (all in target/child-logs/" + name + "-" + process.pid() + ".log)";
  }

  private Duration age() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  private String waited() {
    return age().toSeconds() + " s";
  }

  /** Waits until a printed line contains {@code text}. */
  public String awaitLine(String text, Duration timeout) {
    return awaitLine(line -> line.contains(text), timeout);
  }

  /** SIGKILL: no shutdown hooks, no finally blocks, no flush. Waits until the process is gone. */
  public void kill() {
    process.destroyForcibly();
    waitGone();
  }

  /** SIGTERM: shutdown hooks run. Waits until the process is gone (SIGKILL after 30 s). */
  public void terminate() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for a normal exit and returns the exit code, or fails after {@code timeout}. */
  public int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("child JVM " + name + " still runs after " + timeout + "; " + describe()
            + "; last output:\n" + tail());
      }
      pump.join(5_000);
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * The last 40 lines of output, for failure messages. Once the process has ended, its last lines are read to
   * the end first (they may still sit in the pipe): a tail taken at once could come back empty.
   */
  public String tail() {
    if (!process.isAlive()) {
      try {
        pump.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<String> now = output();
    if (now.isEmpty()) {
      return "(nothing printed yet)";
    }
    return String.join("\n", now.subList(Math.max(0, now.size() - 40), now.size()));
  }

  /** Kills the process if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }

  private void waitGone() {
    try {
      process.waitFor(30, TimeUnit.SECONDS);
      pump.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Options of a child JVM; {@link #start()} launches it. */
  public static final class Builder {
    private final String mainClass;
    private final List<String> args = new ArrayList<>();
    private final List<String> jvmArgs = new ArrayList<>(List.of("-Xmx512m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1"));
    private final Map<String, String> env = new LinkedHashMap<>();
    private String name;
    private String classPath = System.getProperty("java.class.path");

    private Builder(String mainClass) {
      this.mainClass = mainClass;
      this.name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
    }

    public Builder name(String value) {
      this.name = value;
      return this;
    }

    public Builder args(String... values) {
      args.addAll(List.of(values));
      return this;
    }

    public Builder args(List<String> values) {
      args.addAll(values);
      return this;
    }

    /** Replaces the default JVM options ({@code -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}). */
    public Builder jvmArgs(String... values) {
      jvmArgs.clear();
      jvmArgs.addAll(List.of(values));
      return this;
    }

    public Builder systemProperty(String key, String value) {
      jvmArgs.add("-D" + key + "=" + value);
      return this;
    }

    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    public Builder classPath(String value) {
      this.classPath = value;
      return this;
    }

    /**
     * Starts the process under {@link ChildMain} (which halts it when this JVM is gone); its output goes to
     * {@code target/child-logs/<name>-<pid>.log}.
     */
    public ChildJvm start() {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmArgs);
      command.add("-cp");
      command.add(withChildMain(classPath));
      command.add(ChildMain.class.getName());
      command.add(Long.toString(ProcessHandle.current().pid()));
      command.add(mainClass);
      command.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().putAll(env);
      try {
        Path logDir = Files.createDirectories(Path.of("target", "child-logs"));
        Process process = pb.start();
        return new ChildJvm(name, process, logDir.resolve(name + "-" + process.pid() + ".log"));
      } catch (IOException e) {
        throw new InfraException("could not start child JVM " + name + " (" + mainClass + "): " + e, e);
      }
    }

    /** A class path given by the caller may lack this module: ChildMain's location is added then. */
    private static String withChildMain(String classPath) {
      try {
        String own = Path.of(ChildMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
        List<String> entries = List.of(classPath.split(File.pathSeparator));
        return entries.contains(own) ? classPath : classPath + File.pathSeparator + own;
      } catch (URISyntaxException | RuntimeException e) {
        return classPath; // not found: the class path given is used as it is
      }
    }
  }
}
