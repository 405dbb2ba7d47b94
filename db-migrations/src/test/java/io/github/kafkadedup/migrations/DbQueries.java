package io.github.kafkadedup.migrations;

import io.github.kafkadedup.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.jooq.DataType;

/** Small JDBC and type-name helpers shared by the integration tests. */
final class DbQueries {
  private DbQueries() {}

  /** The single text value of a query as the database owner. */
  static String string(TestDatabase db, String sql) {
    return string(db.dataSource(), sql);
  }

  /** The single text value of a query. */
  static String string(DataSource dataSource, String sql) {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      if (!rs.next()) {
        throw new IllegalStateException("no row from: " + sql);
      }
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + e.getMessage() + " in: " + sql, e);
    }
  }

  /** The name information_schema.columns.data_type gives the PostgreSQL type of a jOOQ type. */
  static String postgresTypeName(DataType<?> type) {
    String name = type.getSQLDataType().getTypeName();
    return switch (name) {
      case "clob" -> "text";
      case "char" -> "character";
      case "blob" -> "bytea"; // jOOQ types PostgreSQL bytea as BLOB (byte[]), connected or not
      default -> name;
    };
  }
}
