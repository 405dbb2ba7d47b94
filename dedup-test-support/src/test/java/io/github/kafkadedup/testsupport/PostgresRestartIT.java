package io.github.kafkadedup.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The embedded server restarts on the same port with its data (regression: it used to come back empty). */
class PostgresRestartIT {
  @Test
  void restartKeepsTheData() throws Exception {
    TestPostgres pg = TestPostgres.get();
    try (TestDatabase db = pg.createDatabase("restart")) {
      db.execute("CREATE TABLE kept (v int)", "INSERT INTO kept VALUES (42)");
      pg.restart();
      // a new pool: the old one may hand out a connection the restart cut before it notices
      try (var pool = db.newDataSource(1); Connection c = pool.getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(42);
      }
    }
  }
}
