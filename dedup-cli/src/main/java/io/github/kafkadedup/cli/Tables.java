package io.github.kafkadedup.cli;

import io.github.kafkadedup.migrations.DedupMigrations;
import io.github.kafkadedup.migrations.DedupSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a connection sees of kafka-dedup's tables in one schema: which exist, what the role may do with
 * them, and the schema version. Every check goes through {@code to_regclass} and {@code has_*_privilege},
 * so a missing table or right becomes a message before any statement fails half-way.
 */
final class Tables {
  final Connection c;
  final DedupSchema schema;
  private final String role;

  Tables(Connection c, DedupSchema schema) {
    this.c = c;
    this.schema = schema;
    this.role = queryString("SELECT current_user", "reading the current role");
  }

  String role() {
    return role;
  }

  /**
   * Where this runs, for every header: "database app on db1:5432, schema public, role kafka_dedup_app" (the host
   * and port as the JDBC URL names them).
   */
  String where() {
    String database = queryString("SELECT current_database()", "reading the database name");
    String host = "?";
    try {
      host = hostOf(c.getMetaData().getURL());
    } catch (SQLException e) {
      // the header then says "?": nothing else depends on it
    }
    return "database " + database + " on " + host + ", schema " + schema.schema()
        + (schema.tablePrefix().isEmpty() ? "" : " prefix " + schema.tablePrefix()) + ", role " + role;
  }

  /** host:port of a PostgreSQL JDBC URL (jdbc:postgresql://h1:5432,h2/db?...), localhost:5432 when it has none. */
  static String hostOf(String url) {
    String rest = url.substring(url.indexOf(':', "jdbc:".length()) + 1);
    if (!rest.startsWith("//")) {
      return "localhost:5432";
    }
    String hosts = rest.substring(2);
    int end = hosts.indexOf('/');
    hosts = end < 0 ? hosts : hosts.substring(0, end);
    return hosts.isEmpty() ? "localhost:5432" : hosts.contains(":") || hosts.contains(",") ? hosts : hosts + ":5432";
  }

  String heartbeats() {
    return schema.heartbeats();
  }

  String claims() {
    return schema.claims();
  }

  String scopes() {
    return schema.scopes();
  }

  String generations() {
    return schema.generations();
  }

  String legacy() {
    return schema.processedMessages();
  }

  String offsets() {
    return schema.consumerOffsets();
  }

  String outbox() {
    return schema.schema() + "." + schema.tablePrefix() + "outbox";
  }

  String deadLetters() {
    return schema.deadLetters();
  }

  /** Fails with "run kafka-dedup migrate" unless the dead-letter table (schema version 5, 8) is there. */
  void requireDeadLetterTable() {
    if (!exists(deadLetters())) {
      throw CliFailure.notMigrated("table " + deadLetters() + " does not exist (schema version 5 adds it): run "
          + "kafka-dedup migrate with the same --schema/--prefix, or check them");
    }
    if (!exists(schema.parkedSequences())) {
      throw CliFailure.notMigrated("table " + schema.parkedSequences() + " does not exist (schema version 8 adds it "
          + "with the dead letters' sequences and failure groups): run kafka-dedup migrate");
    }
  }

  String retentionSettings() {
    return schema.retentionSettings();
  }

  String audit() {
    return schema.schema() + "." + schema.tablePrefix() + "dedup_audit";
  }

  String history() {
    return schema.schema() + "." + DedupMigrations.historyTable(schema);
  }

  boolean exists(String table) {
    return queryString("SELECT to_regclass(?)::text", "looking for table " + table, table) != null;
  }

  boolean may(String table, String privilege) {
    return "true".equals(queryString("SELECT has_table_privilege(?, ?)::text", "checking " + privilege + " on "
        + table, table, privilege));
  }

  /** Fails with "run kafka-dedup migrate" unless the V2 claim tables are there. */
  void requireClaimTables() {
    for (String table : List.of(claims(), scopes(), generations())) {
      if (!exists(table)) {
        throw CliFailure.notMigrated("table " + table + " does not exist (schema " + schema.schema()
            + (schema.tablePrefix().isEmpty() ? "" : ", prefix " + schema.tablePrefix())
            + "): run kafka-dedup migrate with the same --schema/--prefix, or check them");
      }
    }
  }

  /** Fails naming the GRANT unless the role holds {@code privilege} on every table. */
  void require(String command, String privilege, String... tables) {
    List<String> missing = new ArrayList<>();
    for (String table : tables) {
      if (!may(table, privilege)) {
        missing.add(table);
      }
    }
    if (!missing.isEmpty()) {
      throw CliFailure.permission(command + " needs " + privilege + " on " + String.join(", ", missing)
          + ", which role " + role + " does not have. Run it as the owner role (kafka_dedup_owner in "
          + "db/kafka-dedup-roles.sql), or: GRANT " + privilege + " ON " + String.join(", ", missing) + " TO "
          + role + ";");
    }
  }

  /** Fails naming the GRANT unless the role may execute every function (signatures as in the migration). */
  void requireExecute(String command, String... signatures) {
    List<String> missing = new ArrayList<>();
    for (String signature : signatures) {
      String fn = schema.function(signature.substring(0, signature.indexOf('('))) + signature.substring(
          signature.indexOf('('));
      if (!"true".equals(queryString("SELECT has_function_privilege(?, 'EXECUTE')::text", "checking EXECUTE on "
          + fn, fn))) {
        missing.add(fn);
      }
    }
    if (!missing.isEmpty()) {
      throw CliFailure.permission(command + " needs EXECUTE on " + String.join(", ", missing) + ", which role "
          + role + " does not have. Run it as the owner role (kafka_dedup_owner in db/kafka-dedup-roles.sql), or: "
          + "GRANT EXECUTE ON FUNCTION " + String.join(", ", missing) + " TO " + role + ";");
    }
  }

  /**
   * The schema version: the newest successful entry of the history table if the role may read it, else
   * inferred from the tables present ({@code inferred} is then true).
   */
  Version version() {
    if (exists(history()) && may(history(), "SELECT")) {
      String v = queryString("SELECT version FROM " + history() + " WHERE success AND version IS NOT NULL"
          + " ORDER BY string_to_array(version, '.')::int[] DESC LIMIT 1", "reading " + history());
      return new Version(v == null ? "none" : v, false);
    }
    String v = exists(schema.parkedSequences()) ? "8" : exists(heartbeats()) ? "7"
        : exists(retentionSettings()) ? "6" : exists(deadLetters()) ? "5" : exists(audit()) ? "4"
        : exists(outbox()) ? "3" : exists(claims()) ? "2"
        : exists(legacy()) ? "1" : "none";
    return new Version(v, true);
  }

  /** A schema version and whether it was inferred from the tables (the history table was not readable). */
  record Version(String version, boolean inferred) {}

  @Nullable String queryString(String sql, String doing, Object... args) {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      throw DbErrors.onStatement(e, doing);
    }
  }
}
