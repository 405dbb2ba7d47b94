package io.github.kafkadedup.cli;

import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** Turns PostgreSQL's SQLSTATEs into messages that say what to do, and into exit codes. */
final class DbErrors {
  private DbErrors() {}

  /** A failure while logging in. */
  static CliFailure onConnect(SQLException e, String url, @Nullable String user) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String who = user == null ? "(no --user: the driver's default)" : "'" + user + "'";
    if (state.equals("28P01") || state.equals("28000")) {
      return CliFailure.connection("login refused for role " + who + " at " + url + ": " + e.getMessage()
          + ". Check --user/--password (or DEDUP_JDBC_USER/DEDUP_JDBC_PASSWORD) and pg_hba.conf");
    }
    if (state.equals("3D000")) {
      return CliFailure.connection("no such database at " + url + ": " + e.getMessage());
    }
    return CliFailure.connection("cannot connect to " + url + ": " + e.getMessage()
        + ". Check the host, port and database of --jdbc-url and that PostgreSQL accepts connections there");
  }

  /** A failure of a statement; {@code doing} says what the command was doing. */
  static CliFailure onStatement(SQLException e, String doing) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String text = doing + ": " + e.getMessage();
    if (state.equals("42501")) {
      return CliFailure.permission(text + ". The role lacks a right: run this as the owner role or GRANT it "
          + "(see db/kafka-dedup-grants.sql)");
    }
    if (state.equals("42P01") || state.equals("3F000") || state.equals("42883")) {
      return CliFailure.notMigrated(text + ". kafka-dedup's tables are not (all) there: run kafka-dedup migrate "
          + "with the same --schema/--prefix");
    }
    if (state.startsWith("08")) {
      return CliFailure.connection(text + " (the connection was lost)");
    }
    return CliFailure.failed(text + " (SQLSTATE " + state + ")");
  }
}
