package io.github.kafkadedup.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

/** One run of {@link KafkaDedupCli#run} with captured stdout, stderr and exit code. */
record CliRun(int code, String out, String err) {

  static CliRun run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KafkaDedupCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), env);
    return new CliRun(code, out.toString(), err.toString());
  }

  /** The environment of a database: URL and user as the test infrastructure gives them. */
  static Map<String, String> env(String jdbcUrl, String user, String password) {
    Map<String, String> env = new HashMap<>();
    env.put("DEDUP_JDBC_URL", jdbcUrl);
    env.put("DEDUP_JDBC_USER", user);
    if (password != null) {
      env.put("DEDUP_JDBC_PASSWORD", password);
    }
    return env;
  }

  @Override
  public String toString() {
    return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
