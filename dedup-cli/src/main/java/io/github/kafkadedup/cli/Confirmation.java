package io.github.kafkadedup.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The question a command asks before it changes or destroys something: answered by {@code --yes} (scripts), or
 * typed on a terminal; never assumed without one.
 */
final class Confirmation {
  private Confirmation() {}

  /**
   * Whether to go on: true with {@code --yes}; else asks {@code question} on the terminal (true on "y" or
   * "yes"); false without a terminal (input or output redirected).
   */
  static boolean confirmed(boolean yes, PrintWriter err, String question) {
    if (yes) {
      return true;
    }
    Console console = System.console();
    if (console == null) {
      return false;
    }
    err.print(question + " [y/N] ");
    err.flush();
    String answer = console.readLine();
    return answer != null && switch (answer.strip().toLowerCase(Locale.ROOT)) {
      case "y", "yes" -> true;
      default -> false;
    };
  }

  /** The database a command is about to change, as the server names it: {@code orders on 10.0.0.5:5432 as app}. */
  static String database(Tables t) {
    return t.queryString("SELECT current_database() || ' on ' || coalesce(host(inet_server_addr()), 'a local socket')"
        + " || ':' || current_setting('port') || ' as ' || current_user", "naming the database");
  }

  /** Whether a person can answer (standard input and output are a terminal). */
  static boolean interactive() {
    return System.console() != null;
  }
}
