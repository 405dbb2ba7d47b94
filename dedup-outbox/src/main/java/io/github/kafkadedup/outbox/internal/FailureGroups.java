package io.github.kafkadedup.outbox.internal;

import io.github.kafkadedup.migrations.DedupSchema;
import io.github.kafkadedup.outbox.DeadLetters;
import io.github.kafkadedup.outbox.FailureGroup;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/** {@link DeadLetters#groups}: dead letters counted by fingerprint. */
final class FailureGroups {
  private final DataSource dataSource;
  private final DedupSchema schema;

  FailureGroups(DataSource dataSource, DedupSchema schema) {
    this.dataSource = dataSource;
    this.schema = schema;
  }

  List<FailureGroup> list(DeadLetters.Query query) throws SQLException {
    StringBuilder where = new StringBuilder(" WHERE fingerprint IS NOT NULL");
    List<Object> args = new ArrayList<>();
    DeadLetterFilters.append(where, args, query);
    String sql = "SELECT fingerprint, min(scope), min(source_topic), min(reason), min(exception_class), "
        + "(array_agg(left(exception_message, 200) ORDER BY id DESC))[1], count(*), "
        + "count(*) FILTER (WHERE state IN ('pending', 'published', 'held')), min(created_at), max(created_at) "
        + "FROM " + schema.deadLetters() + where + " GROUP BY fingerprint ORDER BY count(*) DESC, "
        + "max(created_at) DESC LIMIT 1000";
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
      List<FailureGroup> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new FailureGroup(rs.getString(1), rs.getString(2), rs.getString(3),
              DeadLetters.Reason.valueOf(rs.getString(4).toUpperCase(Locale.ROOT)), rs.getString(5),
              Fingerprints.mask(rs.getString(6)), rs.getLong(7), rs.getLong(8), rs.getTimestamp(9).toInstant(),
              rs.getTimestamp(10).toInstant()));
        }
      }
      return out;
    }
  }
}
