package io.github.kafkadedup.benchmarks;

import io.github.kafkadedup.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The main class of {@code benchmarks.jar}: JMH's command line, plus one PostgreSQL server for every
 * forked benchmark JVM. Without {@code DEDUP_TEST_JDBC_URL} it starts an embedded PostgreSQL here and
 * hands its URL to the forks ({@code -Ddedup.test.jdbc.url}), so each trial pays for a database, not a
 * server start.
 */
public final class BenchmarkMain {
  private BenchmarkMain() {}

  /**
   * Runs JMH.
   *
   * @param args JMH's options, e.g. {@code ClaimBenchmark -prof gc -rf json -rff out.json}
   * @throws Exception if JMH fails
   */
  public static void main(String[] args) throws Exception {
    CommandLineOptions cmd;
    try {
      cmd = new CommandLineOptions(args);
    } catch (CommandLineOptionException e) {
      System.err.println("Error parsing command line: " + e.getMessage());
      System.exit(1);
      return;
    }
    if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams() || cmd.shouldListProfilers()
        || cmd.shouldListResultFormats()) {
      new Runner(cmd).list();
      if (cmd.shouldHelp()) {
        cmd.showHelp();
      }
      return;
    }
    ChainedOptionsBuilder options = new OptionsBuilder().parent(cmd);
    List<String> jvmArgs = new ArrayList<>(cmd.getJvmArgsAppend().orElse(List.of()));
    jvmArgs.addAll(serverArgs());
    options.jvmArgsAppend(jvmArgs.toArray(String[]::new));
    new Runner(options.build()).run();
  }

  /** System properties that point a forked JVM at this JVM's PostgreSQL server. */
  static List<String> serverArgs() throws SQLException {
    try (Connection c = TestPostgres.get().adminConnection()) {
      System.out.println("# PostgreSQL: " + BenchDatabase.describeServer(c));
      String url = c.getMetaData().getURL();
      String user = c.getMetaData().getUserName();
      // a password comes from DEDUP_TEST_JDBC_PASSWORD, which the forks inherit with the environment
      return List.of("-Ddedup.test.jdbc.url=" + url, "-Ddedup.test.jdbc.user=" + user);
    }
  }
}
