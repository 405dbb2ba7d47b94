package io.github.kafkadedup.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Runs a query and returns its rows as ordered maps keyed by column label: the subcommands print the same
 * maps as tables or as JSON. Timestamps become {@link Instant}s truncated to the second.
 */
final class Sql {
  private Sql() {}

  static List<Map<String, @Nullable Object>> rows(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<Map<String, @Nullable Object>> out = new ArrayList<>();
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          Map<String, @Nullable Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= columns; i++) {
            row.put(rs.getMetaData().getColumnLabel(i), value(rs, i));
          }
          out.add(row);
        }
        return out;
      }
    }
  }

  private static @Nullable Object value(ResultSet rs, int i) throws SQLException {
    Object v = rs.getObject(i);
    if (v instanceof Timestamp) {
      return Subcommand.seconds(rs.getTimestamp(i).toInstant());
    }
    if (v instanceof java.util.UUID || v instanceof Character) {
      return v.toString();
    }
    return v;
  }
}
